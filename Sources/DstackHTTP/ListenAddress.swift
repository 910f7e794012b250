/// Where the HTTP server listens: `LISTEN_ADDR`.
///
/// `host:port` with an IPv4 literal, a bracketed IPv6 literal or a host name (resolved once, when binding),
/// or `unix:/absolute/path` for a Unix socket. Parsing it is the daemon's (`ListenAddress.parse`).
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case inet(host: String, port: UInt16)
    case unix(path: String)

    public static let defaultValue = ListenAddress.inet(host: "0.0.0.0", port: 8080)

    public var description: String {
        switch self {
        case .inet(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }
}
