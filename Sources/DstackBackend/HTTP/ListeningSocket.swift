import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Why the server could not start listening.
public struct ListenError: Error, CustomStringConvertible, Sendable {
    public let address: String
    public let reason: String

    public var description: String { "cannot listen on \(address): \(reason)" }
}

/// Creates a non-blocking listening socket for a `ListenAddress`.
enum ListeningSocket {
    static let backlog: Int32 = 1024

    static func open(_ address: ListenAddress) throws(ListenError) -> Int32 {
        switch address {
        case .inet(let host, let port): return try openInet(host: host, port: port, shown: address.description)
        case .unix(let path): return try openUnix(path: path, shown: address.description)
        }
    }

    private static func openInet(host: String, port: UInt16, shown: String) throws(ListenError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw ListenError(address: shown, reason: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            let fd = socket(entry.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | CLINUX_SOCK_NONBLOCK_CLOEXEC, 0)
            guard fd >= 0 else {
                lastError = SystemError(call: "socket", errno: errno).reason
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if bind(fd, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 && listen(fd, backlog) == 0 {
                return fd
            }
            let code = errno
            lastError = SystemError(call: "bind", errno: code).reason
                + (code == EADDRINUSE ? " (another process uses this port; pick another LISTEN_ADDR)" : "")
            close(fd)
        }
        throw ListenError(address: shown, reason: lastError)
    }

    private static func openUnix(path: String, shown: String) throws(ListenError) -> Int32 {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                throw ListenError(address: shown, reason: "\(path) exists and is not a socket; refusing to replace it")
            }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | CLINUX_SOCK_NONBLOCK_CLOEXEC, 0)
        guard fd >= 0 else { throw ListenError(address: shown, reason: SystemError(call: "socket", errno: errno).reason) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            close(fd)
            throw ListenError(address: shown, reason: "the socket path is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0, listen(fd, backlog) == 0 else {
            let reason = SystemError(call: "bind", errno: errno).reason
            close(fd)
            throw ListenError(address: shown, reason: reason)
        }
        return fd
    }

    /// The port a TCP listener got (for port 0), nil for a Unix socket.
    static func boundPort(_ fd: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard ok == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        default:
            return nil
        }
    }
}
