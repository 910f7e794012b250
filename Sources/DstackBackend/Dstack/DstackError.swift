/// Why a `ListGpus` poll failed, worded for the `Failed to connect to dstack: <reason>` line and `/health`.
enum DstackError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Could not talk to the VMM at all (refused, timeout, DNS, TLS, socket missing, too large).
    case transport(HTTPClientError)
    /// The VMM answered with an error status.
    case status(code: Int, message: String)
    /// The VMM requires a token (401).
    case unauthorized(tokenSent: Bool)
    /// The answer is not what `ListGpus` returns.
    case invalidAnswer(String)
    /// Something answered, but not as the VMM does: a 404 (prpc never answers 404 on its API path) or a
    /// 400 without the VMM's `{"error": ...}` body and `X-App-Version` header. DSTACK_URL points elsewhere.
    case notTheVMM(code: Int, message: String)

    var description: String {
        switch self {
        case .transport(let error):
            error.description
        case .status(let code, let message):
            message.isEmpty
                ? "the VMM is reachable but answered HTTP \(code)"
                : "the VMM is reachable but answered HTTP \(code): \(message)"
        case .notTheVMM(let code, let message):
            message.isEmpty
                ? "the server answered HTTP \(code) and is not the dstack VMM"
                : "the server answered HTTP \(code) and is not the dstack VMM: \(message)"
        case .unauthorized(let tokenSent):
            tokenSent
                ? "the VMM answered 401 Unauthorized: DSTACK_TOKEN was not accepted"
                : "the VMM answered 401 Unauthorized: it requires a token, set DSTACK_TOKEN"
        case .invalidAnswer(let message):
            message
        }
    }
}
