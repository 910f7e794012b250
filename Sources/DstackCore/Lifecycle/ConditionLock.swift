#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex with one condition variable, in allocated storage that never moves.
///
/// A `pthread_mutex_t` must keep its address while in use, which a stored property passed as `&mutex` does
/// not promise; like swift-nio's `Lock`, both live behind pointers allocated and initialised once and
/// destroyed in `deinit`. Timed waits run on `CLOCK_MONOTONIC`, so a wall-clock step does not bend them.
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        mutex.initialize(to: pthread_mutex_t())
        condition.initialize(to: pthread_cond_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        precondition(pthread_cond_init(condition, &attributes) == 0, "pthread_cond_init failed")
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` holding the mutex.
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Wakes every thread in `wait`; call it holding the mutex.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }

    /// Holding the mutex, releases it until `broadcast` (or a spurious wake-up), then holds it again.
    func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// Like `wait()`, but returns false once `deadline` (from `deadline(after:)`) has passed.
    func wait(until deadline: timespec) -> Bool {
        var deadline = deadline
        return pthread_cond_timedwait(condition, mutex, &deadline) != ETIMEDOUT
    }

    /// The `CLOCK_MONOTONIC` time `duration` from now, for `wait(until:)`; negative durations count as 0
    /// and very long ones are capped at about 3 years ("forever" without overflowing `timespec`).
    static func deadline(after duration: Duration) -> timespec {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let capped = min(max(.zero, duration), .seconds(100_000_000))
        let (seconds, attoseconds) = capped.components
        deadline.tv_sec += Int(seconds)
        deadline.tv_nsec += Int(attoseconds / 1_000_000_000)
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
        }
        return deadline
    }
}
