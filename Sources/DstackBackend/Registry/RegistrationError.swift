/// Why start-up registration did not complete. The caller exits 1, or 143/130 for `.interrupted`.
public enum RegistrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The registry (or our own check) refused the request; retrying would not help.
    case rejected(RegistryError)
    /// The registry stayed unreachable or failing for the whole budget.
    case gaveUp(attempts: Int, seconds: Double, lastError: RegistryError)
    /// The stop signal (SIGTERM, SIGINT) fired while we were waiting to retry.
    case interrupted(reason: String)

    public var description: String {
        switch self {
        case .rejected(let error):
            let hint = Self.hint(for: error)
            return hint.isEmpty ? "\(error)" : "\(error) (\(hint))"
        case .gaveUp(let attempts, let seconds, let lastError):
            return "gave up after \(attempts) attempts in \(SettingParsers.formatSeconds(seconds)) "
                + "(the REGISTRATION_TIMEOUT budget); last error: \(lastError)"
        case .interrupted(let reason):
            return "interrupted by \(reason) before the registry answered"
        }
    }

    /// What the operator can do about a permanent refusal.
    private static func hint(for error: RegistryError) -> String {
        if case .transport(let transport) = error.kind, transport.kind == .responseTooLarge {
            return "is REGISTRY_URL really the registry?"
        }
        switch error.status {
        case 400, 422: return "check OWNER_ADDRESS and NODE_TYPE"
        case 401, 403: return "the registry wants authentication; see REGISTRY_AUTH"
        case 404, 405: return "check REGISTRY_URL: the registry has no such endpoint there"
        case 409: return "the registry says this worker already exists; it may be waiting for approval"
        default: return ""
        }
    }
}
