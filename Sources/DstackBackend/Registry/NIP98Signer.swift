import FoundationEssentials

/// Signs registry requests as NIP-98 HTTP auth (`REGISTRY_AUTH=nip98`).
///
/// Each request carries `Authorization: Nostr <base64 event>`, the event being kind 27235 with tags
/// `u` (the absolute URL), `method`, and for a body `payload` (SHA-256 hex of it), signed by the node key.
/// It proves the registrant holds the key it registers, which the reference's registry could not check.
struct NIP98Signer: Sendable {
    static let kind = 27235

    let key: NodeKey
    let logger: Logger
    /// Unix seconds; injectable so tests are deterministic.
    var now: @Sendable () -> Int = { Int(Date.now.timeIntervalSince1970) }

    /// The signed event for one request.
    func event(method: String, url: String, body: [UInt8]?) throws(KeyError) -> NostrEvent {
        // The URL the registry sees: user information goes in the Authorization header, not the request line.
        var tags = [["u", URLRedaction.withoutUserinfo(url)], ["method", method]]
        if let body, !body.isEmpty || method == "POST" {
            tags.append(["payload", Hex.encode(SHA256.hash(body))])
        }
        return try NostrEvent(key: key, createdAt: now(), kind: Self.kind, tags: tags, content: "")
    }

    /// `Nostr <base64 of the event JSON>`.
    func authorization(method: String, url: String, body: [UInt8]?) throws(KeyError) -> String {
        "Nostr " + Data(try event(method: method, url: url, body: body).json).base64EncodedString()
    }

    /// A header provider for `RegistryClient`. A signing failure (which the key's self-check makes a
    /// hardware or library fault) is logged and the request goes unsigned, so the registry's answer says why.
    var headerProvider: RegistryClient.HeaderProvider {
        { [self] method, url, body in
            do {
                return [("Authorization", try authorization(method: method.rawValue, url: url, body: method == .post ? body : nil))]
            } catch {
                logger.error(
                    "Could not sign the registry request", ("reason", String(describing: error)),
                    ("url", URLRedaction.redact(url)))
                return []
            }
        }
    }
}
