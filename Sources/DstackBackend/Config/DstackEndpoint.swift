/// How to reach the dstack VMM: `DSTACK_URL`.
///
/// Accepted forms: `http://host:port[/prefix]`, `https://host[:port][/prefix]`, `unix:///abs/path.sock`
/// (the reference's form) and `unix:/abs/path.sock` (dstack's own).
public enum DstackEndpoint: Sendable, Equatable, CustomStringConvertible {
    case http(HTTPURL)
    case unixSocket(path: String)

    /// The Unix socket forms, as the scheme errors name them.
    static let socketForms = "unix:/path/vmm.sock (or unix:///path/vmm.sock)"

    /// Parses `text`; `setting` (the variable or flag it came from) is named in the scheme errors.
    public static func parse(_ text: String, setting: String = "DSTACK_URL") throws(InvalidValue) -> DstackEndpoint {
        let value = text.trimmingASCIIWhitespace()
        if value.lowercased().hasPrefix("unix:") {
            var path = String(value.dropFirst("unix:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard path.hasPrefix("/"), path.count > 1 else {
                throw InvalidValue("\"\(text)\" must name an absolute socket path: unix:///path/vmm.sock or unix:/path/vmm.sock")
            }
            guard !path.hasSuffix("/") else {
                throw InvalidValue("\"\(text)\" names a directory; name the socket file itself")
            }
            if let problem = UnixSocketAddress.problem(with: path) {
                throw InvalidValue("\"\(text)\": \(problem)")
            }
            return .unixSocket(path: path)
        }
        return .http(try HTTPURL.parse(value, setting: setting, alsoAccepted: socketForms))
    }

    /// The request for `path` (e.g. `/prpc/ListGpus?json`): the URL and, for a socket, its path.
    func request(path: String) -> (url: String, unixSocketPath: String?) {
        switch self {
        case .http(let base): (base.appending(path), nil)
        case .unixSocket(let socket): ("http://localhost" + path, socket)
        }
    }

    public var description: String {
        switch self {
        case .http(let url): url.description
        case .unixSocket(let path): "unix:\(path)"
        }
    }
}
