/// Why a `StopSignal` fired: the signal that asked (it sets the exit code: `ExitStatus.stopped(by:)`), or code.
public enum StopReason: Sendable, Equatable, CustomStringConvertible {
    /// SIGTERM: systemd's, podman's or kill's stop.
    case terminate
    /// SIGINT: Ctrl-C in a terminal.
    case interrupt
    /// Code asked: a test, the simulator's own stop, a thread that finished.
    case requested

    /// The name logged in `reason` fields and error messages.
    public var description: String {
        switch self {
        case .terminate: "SIGTERM"
        case .interrupt: "SIGINT"
        case .requested: "stop requested"
        }
    }
}
