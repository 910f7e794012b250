/// The monotonic time the poller and `/health` read, and the wait between polls.
///
/// The daemon uses `SystemClock`; tests pass a clock they move by hand, so staleness, poll timing and
/// outage reminders are tested without sleeping. The waits block a thread (the poller's), not a task.
public protocol MonotonicClock: Sendable {
    /// The current instant.
    var now: ContinuousClock.Instant { get }

    /// Blocks until `deadline` or until `stop` fires, whichever is first; returns true if stopped.
    func wait(until deadline: ContinuousClock.Instant, or stop: StopSignal) -> Bool
}

/// `ContinuousClock` time, with waits that `StopSignal` (SIGTERM) ends at once.
public struct SystemClock: MonotonicClock {
    public var now: ContinuousClock.Instant { .now }

    public func wait(until deadline: ContinuousClock.Instant, or stop: StopSignal) -> Bool {
        stop.wait(until: deadline)
    }
}

extension MonotonicClock where Self == SystemClock {
    /// The real clock.
    public static var system: SystemClock { SystemClock() }
}
