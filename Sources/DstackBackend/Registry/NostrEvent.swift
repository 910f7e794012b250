/// A signed Nostr event (NIP-01): the id is SHA-256 of the canonical serialization, the signature BIP-340.
struct NostrEvent: Sendable, Equatable {
    let pubkey: String
    let createdAt: Int
    let kind: Int
    let tags: [[String]]
    let content: String
    /// 64 lower-case hex: SHA-256 of `canonicalSerialization`.
    let id: String
    /// 128 lower-case hex: BIP-340 signature of the id.
    let sig: String

    /// Builds and signs an event with `key`.
    init(key: NodeKey, createdAt: Int, kind: Int, tags: [[String]], content: String) throws(KeyError) {
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
    static func canonicalSerialization(
        pubkey: String, createdAt: Int, kind: Int, tags: [[String]], content: String
    ) -> [UInt8] {
        var writer = JSONWriter(style: .utf8)
        writer.beginArray()
        writer.integer(0)
        writer.string(pubkey)
        writer.integer(createdAt)
        writer.integer(kind)
        write(tags, to: &writer)
        writer.string(content)
        writer.endArray()
        return writer.bytes
    }

    /// The event as JSON (`id, pubkey, created_at, kind, tags, content, sig`), as NIP-98 sends it.
    var json: [UInt8] {
        var writer = JSONWriter(style: .utf8)
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("pubkey")
        writer.string(pubkey)
        writer.key("created_at")
        writer.integer(createdAt)
        writer.key("kind")
        writer.integer(kind)
        writer.key("tags")
        Self.write(tags, to: &writer)
        writer.key("content")
        writer.string(content)
        writer.key("sig")
        writer.string(sig)
        writer.endObject()
        return writer.bytes
    }

    private static func write(_ tags: [[String]], to writer: inout JSONWriter) {
        writer.beginArray()
        for tag in tags {
            writer.beginArray()
            for item in tag { writer.string(item) }
            writer.endArray()
        }
        writer.endArray()
    }
}
