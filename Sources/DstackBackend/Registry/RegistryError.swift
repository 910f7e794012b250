/// Why one registry request did not succeed.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// The request did not complete: refused, timed out, DNS, TLS, too large, ...
        case transport(HTTPClientError)
        /// The registry answered with a status that is not success (body already truncated for logs).
        case status(code: Int, body: String, retryAfter: Double?)
        /// We would not send it (e.g. a public key that is not 64 hex digits).
        case invalidRequest(String)
    }

    /// `GET` or `POST`.
    let method: String
    /// The full URL asked for, credentials masked (`URLRedaction`).
    let url: String
    let kind: Kind

    /// How much of a registry's error body goes into messages.
    static let maximumBodyBytes = 512

    init(method: String, url: String, kind: Kind) {
        self.method = method
        self.url = URLRedaction.redact(url)
        self.kind = kind
    }

    /// Whether trying again later may help: network trouble, timeouts, 408, 429 and 5xx.
    var isTransient: Bool {
        switch kind {
        case .transport(let error): error.isTransient
        case .status(let code, _, _): Self.isTransientStatus(code)
        case .invalidRequest: false
        }
    }

    /// The HTTP status, when the registry answered.
    var status: Int? {
        if case .status(let code, _, _) = kind { return code }
        return nil
    }

    /// Seconds the registry asked us to wait (`Retry-After`), when it said.
    var retryAfter: Double? {
        if case .status(_, _, let seconds) = kind { return seconds }
        return nil
    }

    static func isTransientStatus(_ code: Int) -> Bool {
        code == 408 || code == 429 || (500..<600).contains(code)
    }

    public var description: String {
        switch kind {
        case .transport(let error):
            "\(method) request failed: \(error)"
        case .status(let code, let body, _):
            body.isEmpty
                ? "\(method) \(url) answered HTTP \(code) with an empty body"
                : "\(method) \(url) answered HTTP \(code): \(body)"
        case .invalidRequest(let problem):
            "\(method) \(url) not sent: \(problem)"
        }
    }

    /// `body` as printable text for one log line: at most `maximumBodyBytes`, unsafe characters escaped (`PeerText`).
    static func printableBody(_ body: [UInt8]) -> String {
        PeerText.escaped(body, maximumBytes: maximumBodyBytes)
    }
}
