#if canImport(Glibc)
import Glibc
#endif

/// A Unix domain socket's address: the one place that decides whether a path fits `sockaddr_un`.
///
/// `LISTEN_ADDR` and `DSTACK_URL` are checked with `problem(with:)` when they are parsed; the server's
/// listener, its probes and the test clients build their `sockaddr_un` here.
public struct UnixSocketAddress: Sendable, Equatable {
    /// The path bytes `sun_path` holds before its terminating NUL: 107 on Linux.
    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    let path: String

    /// Nil where `problem(with:)` names a problem.
    public init?(path: String) {
        guard Self.problem(with: path) == nil else { return nil }
        self.path = path
    }

    /// Why `path` cannot name a Unix socket, or nil if it can (for the caller's error message).
    public static func problem(with path: String) -> String? {
        let count = path.utf8.count
        if count == 0 { return "the Unix socket path is empty" }
        if count > maxPathBytes { return "a Unix socket path must be shorter than \(maxPathBytes + 1) bytes" }
        if path.utf8.contains(0) { return "a Unix socket path cannot contain a NUL byte" }
        return nil
    }

    /// Calls `body` with the address as `bind` and `connect` take it.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}
