import DstackCore
#if canImport(Glibc)
import Glibc
#endif

/// The process's descriptor limit (`RLIMIT_NOFILE`) and the connection cap that fits in it.
///
/// Every accepted connection is a descriptor, and so is every VMM poll, registry request and address
/// lookup. Left to the defaults (soft limit 1024, `MAX_CONNECTIONS` 4096), a crowd of clients would take
/// the last descriptor and the poller would fail for reasons of our own making. So at start the soft limit
/// is raised to the hard one, and connections are capped at the limit minus `reserve`.
public enum DescriptorLimit {
    /// Descriptors kept back from connections: standard streams, the listener, epoll and its eventfd,
    /// the VMM poll and registry re-check (libcurl: a socket, a resolver pipe, a wake-up pair each), the
    /// advertised-address lookup (`/proc/net/route`, a netlink socket), the key file, with room to spare.
    public static let reserve = 32
    /// RLIM_INFINITY (all bits set), which Swift cannot import from its C macro.
    private static let unlimited = rlim_t.max

    /// The limits after `raiseSoftLimit`.
    struct Limits: Sendable, Equatable {
        var soft: UInt64
        var hard: UInt64
        /// Why the soft limit could not be raised, if it could not.
        var failure: String?
    }

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (or to the kernel's `fs.nr_open` when the hard
    /// limit is unlimited) and returns the limits in force.
    static func raiseSoftLimit() -> Limits {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            let error = SystemError(call: "getrlimit(RLIMIT_NOFILE)", errno: errno)
            return Limits(soft: UInt64.max, hard: UInt64.max, failure: error.description)
        }
        var wanted = limit.rlim_max
        if wanted == unlimited, let kernelMax = readKernelMaximum() { wanted = min(wanted, kernelMax) }
        guard limit.rlim_cur < wanted else {
            return Limits(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max), failure: nil)
        }
        var raised = limit
        raised.rlim_cur = wanted
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 else {
            let error = SystemError(call: "setrlimit(RLIMIT_NOFILE)", errno: errno)
            return Limits(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max), failure: error.description)
        }
        return Limits(soft: UInt64(wanted), hard: UInt64(limit.rlim_max), failure: nil)
    }

    /// The connections to allow: the configured number, or fewer if the soft limit leaves less room.
    static func connectionCap(configured: Int, softLimit: UInt64) -> Int {
        guard softLimit != UInt64(unlimited), softLimit < UInt64(Int.max) else { return configured }
        return max(1, min(configured, Int(softLimit) - reserve))
    }

    /// Raises the limit, logs the cap in force (and a warning if it is below `configured`), returns the cap.
    public static func prepare(configuredMaxConnections configured: Int, logger: Logger) -> Int {
        let limits = raiseSoftLimit()
        if let failure = limits.failure {
            logger.warn("Cannot raise the file descriptor limit", ("reason", failure))
        }
        let cap = connectionCap(configured: configured, softLimit: limits.soft)
        let fields: [(String, String)] = [
            ("max_connections", String(cap)), ("max_connections.configured", String(configured)),
            ("nofile.soft", describe(limits.soft)), ("nofile.hard", describe(limits.hard)),
            ("nofile.reserve", String(reserve)),
        ]
        if cap < configured {
            logger.log(
                .warn, "Connection cap lowered to fit the file descriptor limit; raise LimitNOFILE= or ulimit -n to allow more",
                fields)
        } else {
            logger.log(.info, "Connection cap", fields)
        }
        return cap
    }

    private static func describe(_ value: UInt64) -> String {
        value == UInt64(unlimited) ? "unlimited" : String(value)
    }

    /// `/proc/sys/fs/nr_open`: the most a process's limit may be set to.
    private static func readKernelMaximum() -> rlim_t? {
        let fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        var value: rlim_t = 0
        var digits = 0
        for byte in buffer[0..<count] {
            guard byte >= 48 && byte <= 57, digits < 18 else { break }
            value = value * 10 + rlim_t(byte - 48)
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}
