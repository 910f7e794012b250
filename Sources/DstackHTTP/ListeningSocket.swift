import CLinux
import DstackCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Why the server could not bind or listen.
public struct ListenError: Error, CustomStringConvertible, Sendable {
    let address: String
    public let reason: String

    public var description: String { "cannot listen on \(address): \(reason)" }
}

/// A socket bound to `LISTEN_ADDR` but not listening yet.
///
/// The daemon binds before it registers, so a port in use, a host that does not resolve or a path that is
/// not ours fails before any registry request; until `listen()` the kernel refuses connections, so
/// dephy-worker sees nothing healthy before registration succeeded. For a Unix socket it remembers the
/// socket file's device and inode and removes the file at `close()` only if it is still that one.
public final class BoundListener: Sendable {
    let address: ListenAddress
    /// The TCP port bound (useful with port 0), nil for a Unix socket.
    let boundPort: UInt16?
    private let state: Mutex<Int32>
    private let socketFile: SocketFileIdentity?

    private init(address: ListenAddress, fd: Int32, socketFile: SocketFileIdentity?) {
        self.address = address
        self.boundPort = ListeningSocket.boundPort(fd)
        self.state = Mutex(fd)
        self.socketFile = socketFile
    }

    /// Binds `address` without listening.
    public static func bind(_ address: ListenAddress) throws(ListenError) -> BoundListener {
        switch address {
        case .inet(let host, let port):
            let fd = try ListeningSocket.bindInet(host: host, port: port, shown: address.description)
            return BoundListener(address: address, fd: fd, socketFile: nil)
        case .unix(let path):
            let (fd, identity) = try ListeningSocket.bindUnix(path: path, shown: address.description)
            return BoundListener(address: address, fd: fd, socketFile: identity)
        }
    }

    deinit {
        close()
    }

    /// The descriptor, -1 once closed.
    var fd: Int32 { state.withLock { $0 } }

    /// Starts accepting connections (backlog `ListeningSocket.backlog`).
    func listen() throws(ListenError) {
        let fd = self.fd
        guard fd >= 0 else { throw ListenError(address: address.description, reason: "the socket is already closed") }
        guard Glibc.listen(fd, ListeningSocket.backlog) == 0 else {
            let code = errno
            // Two processes may both bind a TCP port (SO_REUSEADDR) while neither listens; the second to
            // listen learns it here.
            let hint = code == EADDRINUSE ? " (another process started listening on it meanwhile; stop it or pick another LISTEN_ADDR)" : ""
            throw ListenError(address: address.description, reason: SystemError(call: "listen", errno: code).reason + hint)
        }
    }

    /// Closes the socket and removes our socket file (never one another process put there since). Idempotent.
    func close() {
        let fd = state.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        guard fd >= 0 else { return }
        _ = Glibc.close(fd)
        if case .unix(let path) = address, let socketFile, socketFile.matches(path: path) {
            unlink(path)
        }
    }
}

/// Which file a Unix socket path named when we bound it.
struct SocketFileIdentity: Sendable, Equatable {
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// Whether `path` still names this very file.
    func matches(path: String) -> Bool {
        SocketFileIdentity(path: path) == self
    }
}

/// Creates non-blocking sockets for a `ListenAddress`.
public enum ListeningSocket {
    static let backlog: Int32 = 1024

    /// Binds and listens at once (the simulator and tests; the daemon binds first, see `BoundListener`).
    static func open(_ address: ListenAddress) throws(ListenError) -> BoundListener {
        let listener = try BoundListener.bind(address)
        try listener.listen()
        return listener
    }

    static func bindInet(host: String, port: UInt16, shown: String) throws(ListenError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw ListenError(
                address: shown,
                reason: "cannot resolve \(host): \(String(cString: gai_strerror(status))) (use an IP address, such as 0.0.0.0, in LISTEN_ADDR)")
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
            if Glibc.bind(fd, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 {
                return fd
            }
            let code = errno
            lastError = SystemError(call: "bind", errno: code).reason
                + (code == EADDRINUSE ? " (another process uses this port; stop it or pick another LISTEN_ADDR)" : "")
            close(fd)
        }
        throw ListenError(address: shown, reason: lastError)
    }

    static func bindUnix(path: String, shown: String) throws(ListenError) -> (Int32, SocketFileIdentity) {
        // Checked first: a path the liveness probe cannot connect to must not pass for a stale socket file.
        guard let address = UnixSocketAddress(path: path) else {
            throw ListenError(address: shown, reason: UnixSocketAddress.problem(with: path) ?? "invalid socket path")
        }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                throw ListenError(address: shown, reason: "\(path) exists and is not a socket; refusing to replace it")
            }
            if let owner = liveSocketUser(path) {
                throw ListenError(
                    address: shown,
                    reason: "\(path) belongs to a running process (\(owner)); refusing to take it over. "
                        + "Stop the other instance, or give this one another LISTEN_ADDR")
            }
            // A socket file nobody has bound any more: left by a process that died.
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | CLINUX_SOCK_NONBLOCK_CLOEXEC, 0)
        guard fd >= 0 else { throw ListenError(address: shown, reason: SystemError(call: "socket", errno: errno).reason) }
        let result = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        guard result == 0 else {
            let reason = SystemError(call: "bind", errno: errno).reason
            close(fd)
            throw ListenError(address: shown, reason: reason)
        }
        guard let identity = SocketFileIdentity(path: path) else {
            close(fd)
            throw ListenError(address: shown, reason: "\(path) vanished right after bind")
        }
        return (fd, identity)
    }

    /// Who still uses the socket file at `path`, or nil if nobody does.
    ///
    /// A listening socket accepts a connection; one that is bound but not listening yet (another instance
    /// still registering) refuses it, but the kernel lists its path in `/proc/net/unix`.
    public static func liveSocketUser(_ path: String) -> String? {
        if acceptsConnections(path) { return "it accepts connections" }
        if boundSocketPaths().contains(path) { return "a socket is bound to it" }
        return nil
    }

    private static func acceptsConnections(_ path: String) -> Bool {
        guard let address = UnixSocketAddress(path: path) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | CLINUX_SOCK_NONBLOCK_CLOEXEC, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let result = address.withSockaddr { connect(fd, $0, $1) }
        // A full backlog answers EAGAIN on a non-blocking Unix socket: someone is listening.
        return result == 0 || errno == EAGAIN
    }

    /// Paths of the Unix sockets bound in this network namespace (the last column of `/proc/net/unix`).
    static func boundSocketPaths() -> Set<String> {
        guard let file = fopen("/proc/net/unix", "r") else { return [] }
        defer { fclose(file) }
        var paths = Set<String>()
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let fields = String(cString: line).split(separator: " ", maxSplits: 7, omittingEmptySubsequences: true)
            if fields.count >= 8, let last = fields.last {
                let path = last.trimmingASCIIWhitespace()
                if path.hasPrefix("/") { paths.insert(path) }
            }
        }
        return paths
    }

    /// The port a TCP socket got (for port 0), nil for a Unix socket.
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
