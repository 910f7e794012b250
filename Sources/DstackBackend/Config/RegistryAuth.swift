/// How requests to the registry are authenticated: `REGISTRY_AUTH`.
enum RegistryAuth: String, Sendable, Equatable, CaseIterable {
    /// No `Authorization` header, like the reference and today's registries.
    case none
    /// NIP-98 HTTP Auth: each request carries a Nostr event signed with the node's key.
    case nip98

    /// Parses `none` or `nip98`, any case.
    static func parse(_ text: String) throws(InvalidValue) -> RegistryAuth {
        guard let value = RegistryAuth(rawValue: text.trimmingASCIIWhitespace().lowercased()) else {
            throw InvalidValue("\"\(text)\" is not supported: use none or nip98")
        }
        return value
    }
}
