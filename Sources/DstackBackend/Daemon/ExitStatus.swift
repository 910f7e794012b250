#if canImport(Glibc)
import Glibc
#endif

/// The daemon's exit statuses, in one place.
public enum ExitStatus {
    /// Clean shutdown.
    static let success: Int32 = 0
    /// Start-up failed in a way a restart may fix: the registry refused or stayed down, the port is taken,
    /// the key file is unreadable.
    static let failure: Int32 = 1
    /// `EX_CONFIG` (sysexits.h): the settings are wrong and restarting with the same ones cannot help.
    /// systemd units name it in `RestartPreventExitStatus=`.
    public static let configuration: Int32 = 78

    /// The status after `reason` stopped start-up: the conventional 128 + the signal's number (SIGTERM 143,
    /// SIGINT 130); a stop that code asked for counts as SIGTERM.
    static func stopped(by reason: StopReason?) -> Int32 {
        switch reason {
        case .interrupt: 128 + SIGINT
        case .terminate, .requested, nil: 128 + SIGTERM
        }
    }
}
