/// Why an outbound request failed, in words an operator understands.
public struct HTTPClientError: Error, CustomStringConvertible, Sendable, Equatable {
    enum Kind: String, Sendable, Equatable {
        /// Nothing listens there (ECONNREFUSED), or the socket file is missing.
        case connectionRefused = "connection refused"
        /// The Unix socket is there but this process may not connect to it (EACCES: no write permission on
        /// the socket, or no search permission on a directory above it).
        case permissionDenied = "permission denied"
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

    let kind: Kind
    /// The URL asked for, credentials masked (`URLRedaction`): it is printed in logs and `/health`.
    let url: String
    /// libcurl's own words, for the log (they name the host and port, never the credentials).
    let detail: String
    /// The Unix socket the request went to, nil over TCP. Its URL's `http://localhost` is only the `Host`
    /// header, which nobody configured: messages name the socket and the request path instead.
    let unixSocketPath: String?

    init(kind: Kind, url: String, detail: String, unixSocketPath: String? = nil) {
        self.kind = kind
        self.url = URLRedaction.redact(url)
        self.detail = detail
        self.unixSocketPath = unixSocketPath
    }

    /// What was asked: the URL, or over a Unix socket `unix:<path>, request <path and query>`.
    var target: String {
        guard let unixSocketPath else { return url }
        return "unix:\(unixSocketPath), request \(Self.requestPath(of: url))"
    }

    /// The path and query of an absolute URL (`/` when it has none).
    static func requestPath(of url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        return rest[slash] == "?" ? "/" + rest[slash...] : String(rest[slash...])
    }

    public var description: String {
        detail.isEmpty ? "\(kind.rawValue) (\(target))" : "\(kind.rawValue) (\(target)): \(detail)"
    }

    /// Whether trying again later may succeed (everything but a bad URL or an oversized answer).
    var isTransient: Bool {
        switch kind {
        case .invalidURL, .responseTooLarge, .cancelled: false
        default: true
        }
    }
}
