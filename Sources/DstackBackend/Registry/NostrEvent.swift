/// A signed Nostr event (NIP-01): the id is SHA-256 of the canonical serialization, the signature BIP-340.
public struct NostrEvent: Sendable, Equatable {
    public let pubkey: String
    public let createdAt: Int
    public let kind: Int
    public let tags: [[String]]
    public let content: String
    /// 64 lower-case hex: SHA-256 of `canonicalSerialization`.
    public let id: String
    /// 128 lower-case hex: BIP-340 signature of the id.
    public let sig: String

    /// Builds and signs an event with `key`.
    public init(key: NodeKey, createdAt: Int, kind: Int, tags: [[String]], content: String) throws(KeyError) {
        self.pubkey = key.publicKey.hex
        self.createdAt = createdAt
        self.kind = kind
        self.tags = tags
        self.content = content
        let digest = SHA256.hash(Self.canonicalSerialization(
            pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content))
        self.id = Hex.encode(digest)
        self.sig = Hex.encode(try key.sign(digest: digest))
    }

    /// `[0,<pubkey>,<created_at>,<kind>,<tags>,<content>]` with no whitespace, as NIP-01 defines it:
    /// UTF-8, only `\n \" \\ \r \t \b \f` (and other control characters as `\u00XX`) escaped.
    public static func canonicalSerialization(
        pubkey: String, createdAt: Int, kind: Int, tags: [[String]], content: String
    ) -> [UInt8] {
        var out: [UInt8] = Array("[0,".utf8)
        appendString(pubkey, to: &out)
        out += Array(",\(createdAt),\(kind),".utf8)
        appendTags(tags, to: &out)
        out.append(UInt8(ascii: ","))
        appendString(content, to: &out)
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// The event as JSON (`id, pubkey, created_at, kind, tags, content, sig`), as NIP-98 sends it.
    public var json: [UInt8] {
        var out: [UInt8] = Array("{\"id\":".utf8)
        Self.appendString(id, to: &out)
        out += Array(",\"pubkey\":".utf8)
        Self.appendString(pubkey, to: &out)
        out += Array(",\"created_at\":\(createdAt),\"kind\":\(kind),\"tags\":".utf8)
        Self.appendTags(tags, to: &out)
        out += Array(",\"content\":".utf8)
        Self.appendString(content, to: &out)
        out += Array(",\"sig\":".utf8)
        Self.appendString(sig, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func appendTags(_ tags: [[String]], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, tag) in tags.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            for (position, item) in tag.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                appendString(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
    }

    static func appendString(_ value: String, to out: inout [UInt8]) {
        JSONString.append(value, style: .utf8, to: &out)
    }
}
