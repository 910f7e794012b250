#if canImport(Glibc)
import Glibc
#endif

/// Where `dstack-backend healthcheck` asks for `/health` when it is given no `--url`: the daemon's own
/// `LISTEN_ADDR`, read the same way, made into an address to connect to.
///
/// A wildcard is where the daemon listens, not an address to connect to: `0.0.0.0` becomes `127.0.0.1` and
/// `[::]` becomes `[::1]`; a specific address or host name is asked as it is; `unix:/path` is asked through
/// the socket.
public struct HealthcheckTarget: Sendable, Equatable, CustomStringConvertible {
    /// The URL requested; over a Unix socket its host is only the `Host` header.
    public let url: String
    /// The Unix socket to connect to instead of the URL's host.
    public let unixSocketPath: String?

    public init(url: String, unixSocketPath: String? = nil) {
        self.url = url
        self.unixSocketPath = unixSocketPath
    }

    /// `/health` on `address`.
    public init(listenAddress address: ListenAddress) {
        switch address {
        case .unix(let path):
            self.init(url: "http://localhost/health", unixSocketPath: path)
        case .inet(let host, let port):
            self.init(url: "http://\(Self.connectHost(host)):\(port)/health")
        }
    }

    /// The host part of a URL that reaches a server listening on `host`.
    static func connectHost(_ host: String) -> String {
        if host == "0.0.0.0" { return "127.0.0.1" }
        guard host.contains(":") else { return host }
        var address = in6_addr()
        let isAny = inet_pton(AF_INET6, host, &address) == 1
            && withUnsafeBytes(of: &address) { $0.allSatisfy { $0 == 0 } }
        return isAny ? "[::1]" : "[\(host)]"
    }

    /// The URL, and the socket when there is one (`http://localhost/health via unix:/run/x.sock`), for the
    /// healthcheck's one line.
    public var description: String {
        unixSocketPath.map { "\(url) via unix:\($0)" } ?? url
    }
}
