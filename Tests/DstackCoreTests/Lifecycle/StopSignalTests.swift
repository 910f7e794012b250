import Foundation
import Synchronization
import Testing
@testable import DstackCore

@Suite struct StopSignalTests {
    @Test func stopWakesAWaiterAtOnceAndKeepsTheFirstReason() {
        let stop = StopSignal()
        let woke = Mutex<Bool?>(nil)
        let waiter = BackgroundThread(name: "test-waiter") {
            let stopped = stop.wait(for: .seconds(60))
            woke.withLock { $0 = stopped }
        }
        let start = ContinuousClock.now
        stop.stop(reason: .interrupt)
        stop.stop(reason: .terminate)
        #expect(waiter.join(timeout: .seconds(10)))
        #expect(start.duration(to: .now) < .seconds(10))
        #expect(woke.withLock { $0 } == true)
        #expect(stop.isStopped)
        #expect(stop.stopReason == .interrupt, "later stops change nothing")
    }

    @Test func aWaitThatIsNotStoppedLastsItsDuration() {
        let stop = StopSignal()
        let start = ContinuousClock.now
        #expect(!stop.wait(for: .milliseconds(30)))
        #expect(start.duration(to: .now) >= .milliseconds(30))
        #expect(!stop.wait(until: .now - .seconds(1)), "a deadline in the past returns at once")
        #expect(stop.stopReason == nil)
    }

    @Test func callbacksRunOnceAndLateOnesRunAtOnce() {
        let stop = StopSignal()
        let calls = Mutex(0)
        stop.onStop { calls.withLock { $0 += 1 } }
        stop.stop()
        stop.stop()
        #expect(calls.withLock { $0 } == 1)
        stop.onStop { calls.withLock { $0 += 10 } }
        #expect(calls.withLock { $0 } == 11)
        #expect(stop.stopReason == .requested)
        #expect(stop.wait(for: .seconds(60)), "a stopped signal does not wait")
    }

    @Test func reasonsAreLoggedByTheirSignalsNames() {
        #expect(StopReason.terminate.description == "SIGTERM")
        #expect(StopReason.interrupt.description == "SIGINT")
        #expect(StopReason.requested.description == "stop requested")
    }

    @Test func joinWithATimeoutGivesUpOnAThreadStillRunning() {
        let release = StopSignal()
        let thread = BackgroundThread(name: "test-busy") { release.wait() }
        #expect(!thread.join(timeout: .milliseconds(20)))
        release.stop()
        let quick = BackgroundThread(name: "test-quick") {}
        #expect(quick.join(timeout: .seconds(10)))
    }
}
