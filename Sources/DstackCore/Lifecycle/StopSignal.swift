/// A one-way "stop now" flag that sleeping threads wake up for.
///
/// Retry back-offs and the poller wait on it instead of sleeping, so SIGTERM ends them at once;
/// the HTTP server registers a callback to wake its event loop.
public final class StopSignal: @unchecked Sendable {
    private let lock = ConditionLock()
    /// Why it fired; nil until then. Guarded by `lock`, like `callbacks`.
    private var reason: StopReason?
    private var callbacks: [@Sendable () -> Void] = []

    public init() {}

    public var isStopped: Bool {
        lock.withLock { reason != nil }
    }

    /// What asked us to stop (e.g. SIGTERM), once stopped.
    public var stopReason: StopReason? {
        lock.withLock { reason }
    }

    /// Stops: wakes every waiter and runs every registered callback once. Later calls do nothing.
    public func stop(reason: StopReason = .requested) {
        let toRun: [@Sendable () -> Void]? = lock.withLock {
            guard self.reason == nil else { return nil }
            self.reason = reason
            defer { callbacks = [] }
            lock.broadcast()
            return callbacks
        }
        for callback in toRun ?? [] { callback() }
    }

    /// Runs `callback` when stopped (at once if already stopped).
    public func onStop(_ callback: @escaping @Sendable () -> Void) {
        let stopped = lock.withLock {
            if reason == nil { callbacks.append(callback) }
            return reason != nil
        }
        if stopped { callback() }
    }

    /// Waits up to `duration`; returns true if stopped (before or during the wait).
    @discardableResult
    public func wait(for duration: Duration) -> Bool {
        let deadline = ConditionLock.deadline(after: duration)
        return lock.withLock {
            while reason == nil {
                if !lock.wait(until: deadline) { break }
            }
            return reason != nil
        }
    }

    /// Waits until `deadline` on the continuous clock; returns true if stopped (before or during the wait).
    @discardableResult
    public func wait(until deadline: ContinuousClock.Instant) -> Bool {
        wait(for: ContinuousClock.now.duration(to: deadline))
    }

    /// Waits until stopped, however long that takes.
    public func wait() {
        lock.withLock {
            while reason == nil { lock.wait() }
        }
    }
}
