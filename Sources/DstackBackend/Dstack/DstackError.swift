/// Why a `ListGpus` poll failed, worded for the `Failed to connect to dstack: <reason>` line and `/health`.
public enum DstackError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Could not talk to the VMM at all (refused, timeout, DNS, TLS, socket missing, too large).
    case transport(HTTPClientError)
    /// The VMM answered with an error status.
    case status(code: Int, message: String)
    /// The VMM requires a token (401).
    case unauthorized(tokenSent: Bool)
    /// The answer is not what `ListGpus` returns.
    case invalidAnswer(String)

    public var description: String {
        switch self {
        case .transport(let error):
            error.description
        case .status(let code, let message):
            message.isEmpty ? "the VMM answered HTTP \(code)" : "the VMM answered HTTP \(code): \(message)"
        case .unauthorized(let tokenSent):
            tokenSent
                ? "the VMM answered 401 Unauthorized: DSTACK_TOKEN was not accepted"
                : "the VMM answered 401 Unauthorized: it requires a token, set DSTACK_TOKEN"
        case .invalidAnswer(let message):
            message
        }
    }
}
