#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Telling "this process ran out of file descriptors" apart from what a peer or the system did.
///
/// Out of descriptors, `open`, `socket` and `getifaddrs` all fail; reported as they come, that reads as
/// "the VMM refused" or "no default route". Every such failure is checked here first and worded as ours.
public enum FileDescriptors {
    /// The words every such report starts with.
    static let exhaustedReason = "out of file descriptors"
    /// What the operator can do about it.
    static let hint = "raise the open-files limit (LimitNOFILE= in the unit, ulimit -n, compose ulimits)"

    /// Whether `code` means no descriptor was available: `EMFILE` (this process) or `ENFILE` (the system).
    public static func isExhaustion(_ code: Int32) -> Bool {
        code == EMFILE || code == ENFILE
    }

    /// Whether the process cannot open a descriptor right now (opens and closes `/dev/null` to see).
    ///
    /// Asked after a failure whose cause the library did not pass on (libcurl's resolver thread, for one).
    static func areExhausted() -> Bool {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            close(fd)
            return false
        }
        return isExhaustion(errno)
    }

    /// `error` worded for a log line or a reason: `out of file descriptors: open /proc/net/route failed: ...`
    /// when it is exhaustion, its plain description otherwise.
    static func describe(_ error: SystemError, subject: String) -> String {
        let what = "\(error.call) \(subject) failed: \(error.reason) (errno \(error.errno))"
        return isExhaustion(error.errno) ? "\(exhaustedReason): \(what); \(hint)" : what
    }
}
