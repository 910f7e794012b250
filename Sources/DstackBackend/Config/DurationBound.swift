/// The shortest or longest value a duration setting accepts, and why: `DSTACK_POLL_INTERVAL=1ms` would poll
/// the VMM a thousand times a second and fill the log with its failures, so it is refused at start-up.
public struct DurationBound: Sendable, Equatable {
    let duration: Duration
    /// What a value past the bound would do, for the configuration error.
    let why: String

    /// `DSTACK_POLL_INTERVAL` at least 100 ms. Each poll is a fresh HTTP request to the VMM.
    static let dstackPollInterval = DurationBound(
        duration: .milliseconds(100), why: "every poll is a request to the VMM, and a shorter interval only loads it")
    /// `REGISTRY_RECHECK_INTERVAL` at least 1 s. The registry is shared by the whole fleet.
    static let registryRecheckInterval = DurationBound(
        duration: .seconds(1), why: "every check is a request to the registry the whole fleet shares")
    /// `IDLE_TIMEOUT` at least 1 s: a new connection's first request, or a keep-alive client's next one, whose
    /// segment is lost arrives after TCP's retransmission timeout (at least 200 ms on Linux, 1 s before a round
    /// trip was measured, RFC 6298).
    static let idleTimeout = DurationBound(
        duration: .seconds(1),
        why: "a request whose first segment is lost arrives after TCP's retransmission timeout (up to 1s),"
            + " and the connection would be closed before it")
    /// `REQUEST_TIMEOUT` at least 1 s, for the same reason: a head split over two segments, one of them lost.
    static let requestTimeout = DurationBound(
        duration: .seconds(1),
        why: "a request split over two segments, one of them lost, completes after TCP's retransmission timeout"
            + " (up to 1s), and would be answered 408")
    /// `SHUTDOWN_GRACE` at most 8 s: compose (`stop_grace_period`) and the systemd unit (`TimeoutStopSec`) give
    /// the daemon 10 s to exit before SIGKILL, and it closes its listener and threads after the grace.
    static let shutdownGrace = DurationBound(
        duration: .seconds(8),
        why: "docker compose and the systemd unit kill the daemon 10s after asking it to stop")
}
