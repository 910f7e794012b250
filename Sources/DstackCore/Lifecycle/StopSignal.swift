#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A one-way "stop now" flag that sleeping threads wake up for.
///
/// Retry back-offs and the poller wait on it instead of sleeping, so SIGTERM ends them at once;
/// the HTTP server registers a callback to wake its event loop.
public final class StopSignal: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var stopped = false
    private var reason: String?
    private var callbacks: [@Sendable () -> Void] = []

    public init() {
        pthread_mutex_init(&mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(&condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// Whether `stop` has been called.
    public var isStopped: Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return stopped
    }

    /// What asked us to stop (e.g. `SIGTERM`), once stopped.
    public var stopReason: String? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return reason
    }

    /// Stops: wakes every waiter and runs every registered callback once. Later calls do nothing.
    public func stop(reason: String = "stop requested") {
        pthread_mutex_lock(&mutex)
        if stopped {
            pthread_mutex_unlock(&mutex)
            return
        }
        stopped = true
        self.reason = reason
        let toRun = callbacks
        callbacks = []
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
        for callback in toRun { callback() }
    }

    /// Runs `callback` when stopped (at once if already stopped).
    public func onStop(_ callback: @escaping @Sendable () -> Void) {
        pthread_mutex_lock(&mutex)
        if stopped {
            pthread_mutex_unlock(&mutex)
            callback()
            return
        }
        callbacks.append(callback)
        pthread_mutex_unlock(&mutex)
    }

    /// Waits up to `seconds`; returns true if stopped (before or during the wait).
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let total = min(max(0, seconds), 100_000_000)  // about 3 years: "forever" without overflowing timespec
        let whole = Int(total)
        deadline.tv_sec += whole
        deadline.tv_nsec += Int((total - Double(whole)) * 1e9)
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
        }
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while !stopped {
            if pthread_cond_timedwait(&condition, &mutex, &deadline) == ETIMEDOUT { break }
        }
        return stopped
    }
}
