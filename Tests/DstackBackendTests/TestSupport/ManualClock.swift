import Foundation
@testable import DstackBackend

/// A `MonotonicClock` that moves only when a test calls `advance(by:)`.
///
/// Threads blocked in `wait(until:or:)` wake when the clock reaches their deadline or their `StopSignal`
/// fires. `advance` returns once every waiter has looked at the new time, so a test can tell "the poller
/// went back to waiting" from "the poller has not looked yet" without sleeping.
final class ManualClock: MonotonicClock, @unchecked Sendable {
    private let condition = NSCondition()
    private var current = ContinuousClock.now
    /// Waits entered so far, ever.
    private var waitsEntered = 0
    /// Bumped by `advance`; each waiter notes the last value it has looked at.
    private var generation = 0
    private var seen: [Int: Int] = [:]
    private var nextWaiter = 0
    private var watchedStops: Set<ObjectIdentifier> = []

    var now: ContinuousClock.Instant {
        condition.lock()
        defer { condition.unlock() }
        return current
    }

    func wait(until deadline: ContinuousClock.Instant, or stop: StopSignal) -> Bool {
        watch(stop)
        condition.lock()
        defer { condition.unlock() }
        let id = nextWaiter
        nextWaiter += 1
        waitsEntered += 1
        condition.broadcast()
        while true {
            seen[id] = generation
            condition.broadcast()
            if current >= deadline || stop.isStopped { break }
            condition.wait()
        }
        seen[id] = nil
        condition.broadcast()
        return stop.isStopped
    }

    /// Moves the clock on and returns once every thread in `wait` has looked at the new time.
    func advance(by duration: Duration) {
        condition.lock()
        defer { condition.unlock() }
        current += duration
        generation += 1
        condition.broadcast()
        while seen.values.contains(where: { $0 < generation }) { condition.wait() }
    }

    /// Blocks until `count` waits have been entered in all (true), or 10 real seconds pass (false).
    func awaitWaits(_ count: Int) -> Bool {
        let deadline = Date(timeIntervalSinceNow: 10)
        condition.lock()
        defer { condition.unlock() }
        while waitsEntered < count {
            if !condition.wait(until: deadline) { return waitsEntered >= count }
        }
        return true
    }

    /// Wakes this clock's waiters when `stop` fires (once per signal).
    private func watch(_ stop: StopSignal) {
        let id = ObjectIdentifier(stop)
        let isNew = condition.withLock { watchedStops.insert(id).inserted }
        guard isNew else { return }
        stop.onStop { [condition] in
            condition.lock()
            condition.broadcast()
            condition.unlock()
        }
    }
}
