/// The daemon's exit statuses, in one place (besides 128 + signal number when a signal stops start-up).
public enum ExitStatus {
    /// Clean shutdown.
    public static let success: Int32 = 0
    /// Start-up failed in a way a restart may fix: the registry refused or stayed down, the port is taken,
    /// the key file is unreadable.
    public static let failure: Int32 = 1
    /// `EX_CONFIG` (sysexits.h): the settings are wrong and restarting with the same ones cannot help.
    /// systemd units name it in `RestartPreventExitStatus=`.
    public static let configuration: Int32 = 78
}
