import Foundation
import Testing
@testable import DstackBackend

@Suite struct HealthPublisherTests {
    @Test func unavailableBeforeTheFirstPoll() {
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .seconds(5))
        #expect(publisher.current().status == 503)
        #expect(String(decoding: publisher.current().body, as: UTF8.self).contains("no dstack poll has finished yet"))
    }

    @Test func staleSnapshotTurnsUnavailableAndIsRenderedOnce() throws {
        let clock = ManualClock()
        let publisher = HealthPublisher(
            pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .milliseconds(50), httpTimeout: .zero,
            clock: clock)
        #expect(publisher.staleAfter == HealthPublisher.defaultStaleMargin + .milliseconds(50))
        publisher.publish(.available(GPUList(gpus: [BackendInfoTests.h200], allowAttachAll: true)))
        #expect(publisher.current().status == 200)
        clock.advance(by: publisher.staleAfter + .seconds(1))
        let stale = publisher.current()
        #expect(stale.status == 503)
        #expect(String(decoding: stale.body, as: UTF8.self).contains("has not finished a poll"))
        #expect(publisher.current() === stale)
        publisher.publish(.available(GPUList(gpus: [], allowAttachAll: false)))
        #expect(publisher.current().status == 200)
    }

    /// An Available snapshot that finished `ageSeconds` ago on `clock`.
    static func snapshot(ageSeconds: Double, on clock: ManualClock) -> HealthSnapshot {
        HealthSnapshot(
            outcome: .available(GPUList(gpus: [BackendInfoTests.h200], allowAttachAll: true)),
            takenAt: clock.now - .seconds(ageSeconds), pubkey: BackendInfoTests.pubkey, ipAddress: nil)
    }

    /// Stale means older than the threshold: at exactly `staleAfter` the snapshot is still served.
    @Test func staleBeginsJustPastTheThreshold() {
        let clock = ManualClock()
        let publisher = HealthPublisher(
            pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .seconds(1), httpTimeout: .seconds(10),
            clock: clock)
        let snapshot = publisher.publish(.available(GPUList(gpus: [], allowAttachAll: false)))
        clock.advance(by: publisher.staleAfter)
        #expect(publisher.current() === snapshot.response)
        clock.advance(by: .nanoseconds(1))
        #expect(publisher.current().status == 503)
    }

    /// Issue 13: a VMM that takes 4 s per answer with a 1 s poll interval publishes every ~5 s; 3 intervals
    /// (3 s) called that healthy poller stuck and flipped /health to 503.
    @Test func aSlowButHealthyVMMIsNotStale() {
        let clock = ManualClock()
        let publisher = HealthPublisher(
            pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .seconds(1), httpTimeout: .seconds(10),
            clock: clock)
        #expect(publisher.staleAfter == .seconds(16))
        publisher.publish(Self.snapshot(ageSeconds: 5, on: clock))
        #expect(publisher.current().status == 200)
        publisher.publish(Self.snapshot(ageSeconds: 15, on: clock))
        #expect(publisher.current().status == 200)
    }

    @Test func theStaleThresholdIsTheLargerOfThreeIntervalsAndOneIntervalPlusTheTimeout() {
        #expect(HealthPublisher.staleThreshold(pollInterval: .seconds(5), httpTimeout: .seconds(10)) == .seconds(20))
        #expect(HealthPublisher.staleThreshold(pollInterval: .seconds(60), httpTimeout: .seconds(10)) == .seconds(180))
        #expect(
            HealthPublisher.staleThreshold(pollInterval: .milliseconds(100), httpTimeout: .seconds(1))
                == .milliseconds(6100))
    }

    @Test func theStaleReasonSaysTheThreshold() {
        let clock = ManualClock()
        let publisher = HealthPublisher(
            pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .seconds(1), httpTimeout: .seconds(10),
            clock: clock)
        publisher.publish(Self.snapshot(ageSeconds: 17, on: clock))
        let body = String(decoding: publisher.current().body, as: UTF8.self)
        #expect(publisher.current().status == 503)
        #expect(body.contains("has not finished a poll in over 16s"))
        #expect(body.contains("the larger of 3 poll intervals and one poll interval + HTTP_TIMEOUT + 5s"))
    }

    /// A poll that finishes between the clock read and the snapshot read must not look ancient
    /// (unsigned wrap-around) and get a fresh snapshot served as stale.
    @Test func aSnapshotNewerThanTheClockReadIsFresh() {
        let clock = ManualClock()
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .seconds(5), clock: clock)
        let list = GPUList(gpus: [BackendInfoTests.h200], allowAttachAll: true)
        let snapshot = HealthSnapshot(
            outcome: .available(list), takenAt: clock.now + .seconds(1),
            pubkey: BackendInfoTests.pubkey, ipAddress: nil)
        publisher.publish(snapshot)
        #expect(publisher.current() === snapshot.response)
        #expect(publisher.latestSnapshot === snapshot)
    }

    @Test func servesTheSnapshotRenderedAtPublishWithTheFixedAddress() {
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: "198.51.100.4", pollInterval: .seconds(5))
        #expect(String(decoding: publisher.current().body, as: UTF8.self).hasSuffix(#""ip_address":"198.51.100.4"}"#))
        let snapshot = publisher.publish(.unavailable(reason: "timed out"))
        #expect(publisher.current() === snapshot.response)
        #expect(publisher.current() === publisher.current())
        let body = String(decoding: snapshot.response.body, as: UTF8.self)
        #expect(body.contains(#""status":"Unavailable","metadata":"Error: timed out","ip_address":"198.51.100.4"}"#))
        #expect(snapshot.response.status == 503)
    }
}

extension HealthPublisher {
    /// Publishes `outcome` with the address as it is now, as a poll does.
    @discardableResult
    fileprivate func publish(_ outcome: PollOutcome) -> HealthSnapshot {
        publish(outcome, address: addressSource.lookup())
    }
}
