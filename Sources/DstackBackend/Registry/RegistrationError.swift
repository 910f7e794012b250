/// Why start-up registration did not complete. The caller exits with `exitStatus`.
public enum RegistrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The registry (or our own check) refused the request; retrying would not help.
    case rejected(RegistryError)
    /// The registry stayed unreachable or failing for the whole budget.
    case gaveUp(attempts: Int, seconds: Double, lastError: RegistryError)
    /// The stop signal (SIGTERM, SIGINT) fired while we were waiting to retry.
    case interrupted(reason: String)
    /// The registry's record of this worker names another owner than `OWNER_ADDRESS`; serving would earn
    /// for that owner. `registered` is the registry's text, `configured` the EIP-55 form.
    case ownerMismatch(registered: String, configured: String, pubkey: String)
    /// `NODE_TYPE=auto` and the worker must be registered, but no node type could be derived: the VMM did
    /// not answer within the budget, or its GPUs name no type. `reason` says which, and the fix.
    case nodeTypeUnavailable(reason: String)

    /// The process exit status for this failure, when it is not `.interrupted` (that one is 128 + signal).
    ///
    /// An owner mismatch does not heal by restarting, so it is a configuration error (78, EX_CONFIG, which
    /// systemd's `RestartPreventExitStatus=` can name); everything else the registry refused is 1.
    var exitStatus: Int32 {
        if case .ownerMismatch = self { return ExitStatus.configuration }
        return ExitStatus.failure
    }

    public var description: String {
        switch self {
        case .rejected(let error):
            let hint = Self.hint(for: error)
            return hint.isEmpty ? "\(error)" : "\(error) (\(hint))"
        case .gaveUp(let attempts, let seconds, let lastError):
            return "gave up after \(attempts) attempts in \(SettingParsers.format(.seconds(seconds))) "
                + "(the REGISTRATION_TIMEOUT budget); last error: \(lastError)"
        case .interrupted(let reason):
            return "interrupted by \(reason) before the registry answered"
        case .ownerMismatch(let registered, let configured, let pubkey):
            return "the registry holds owner \(registered) for this worker (pubkey \(pubkey)), but OWNER_ADDRESS is "
                + "\(configured). The registry keeps the owner given at the first registration and this backend cannot "
                + "change it, so serving would earn for \(registered). If that address is yours, set OWNER_ADDRESS to "
                + "it; otherwise ask the registry's operator to correct the owner (or register a new key: move DATA_DIR's "
                + "key aside, back it up, and start again)"
        case .nodeTypeUnavailable(let reason):
            return reason
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
        default: return ""
        }
    }
}
