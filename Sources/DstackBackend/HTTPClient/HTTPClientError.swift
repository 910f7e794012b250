/// Why an outbound request failed, in words an operator understands.
public struct HTTPClientError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// Nothing listens there (ECONNREFUSED), or the socket file is missing.
        case connectionRefused = "connection refused"
        /// The connect or the whole request took longer than allowed.
        case timeout = "timed out"
        /// The host name did not resolve.
        case dns = "could not resolve host"
        /// TLS handshake or certificate verification failed.
        case tls = "TLS error"
        /// The peer sent more than the response cap.
        case responseTooLarge = "response too large"
        /// The URL itself is unusable.
        case invalidURL = "invalid URL"
        /// The daemon is stopping; the request was abandoned.
        case cancelled = "cancelled"
        /// This process could not open a socket (`EMFILE`/`ENFILE`): the peer was never asked.
        case outOfDescriptors = "out of file descriptors"
        /// Anything else libcurl reports (connection reset, protocol error, ...).
        case transport = "transport error"
    }

    public let kind: Kind
    /// The URL asked for, credentials masked (`URLRedaction`): it is printed in logs and `/health`.
    public let url: String
    /// libcurl's own words, for the log (they name the host and port, never the credentials).
    public let detail: String

    public init(kind: Kind, url: String, detail: String) {
        self.kind = kind
        self.url = URLRedaction.redact(url)
        self.detail = detail
    }

    public var description: String {
        detail.isEmpty ? "\(kind.rawValue) (\(url))" : "\(kind.rawValue) (\(url)): \(detail)"
    }

    /// Whether trying again later may succeed (everything but a bad URL or an oversized answer).
    public var isTransient: Bool {
        switch kind {
        case .invalidURL, .responseTooLarge, .cancelled: false
        default: true
        }
    }
}
