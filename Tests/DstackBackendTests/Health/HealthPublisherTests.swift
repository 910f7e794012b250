import Foundation
import Testing
@testable import DstackBackend

@Suite struct HealthPublisherTests {
    @Test func unavailableBeforeTheFirstPoll() {
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: 5)
        #expect(publisher.current().status == 503)
        #expect(String(decoding: publisher.current().body, as: UTF8.self).contains("no dstack poll has finished yet"))
    }

    @Test func staleSnapshotTurnsUnavailableAndIsRenderedOnce() throws {
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: 0.05, httpTimeout: 0)
        #expect(publisher.staleAfter == HealthPublisher.defaultStaleMargin + 0.05)
        publisher.publish(.available(GPUList(gpus: [BackendInfoTests.h200], allowAttachAll: true)))
        #expect(publisher.current().status == 200)
        publisher.publish(Self.snapshot(ageSeconds: publisher.staleAfter + 1))
        let stale = publisher.current()
        #expect(stale.status == 503)
        #expect(String(decoding: stale.body, as: UTF8.self).contains("has not finished a poll"))
        #expect(publisher.current() === stale)
        publisher.publish(.available(GPUList(gpus: [], allowAttachAll: false)))
        #expect(publisher.current().status == 200)
    }

    /// An Available snapshot that finished `ageSeconds` ago.
    static func snapshot(ageSeconds: Double) -> HealthSnapshot {
        HealthSnapshot(
            outcome: .available(GPUList(gpus: [BackendInfoTests.h200], allowAttachAll: true)),
            takenAt: Clock.monotonicNanoseconds() - UInt64(ageSeconds * 1e9), pubkey: BackendInfoTests.pubkey,
            ipAddress: nil)
    }

    /// Issue 13: a VMM that takes 4 s per answer with a 1 s poll interval publishes every ~5 s; 3 intervals
    /// (3 s) called that healthy poller stuck and flipped /health to 503.
    @Test func aSlowButHealthyVMMIsNotStale() {
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: 1, httpTimeout: 10)
        #expect(publisher.staleAfter == 16)
        publisher.publish(Self.snapshot(ageSeconds: 5))
        #expect(publisher.current().status == 200)
        publisher.publish(Self.snapshot(ageSeconds: 15))
        #expect(publisher.current().status == 200)
    }

    @Test func theStaleThresholdIsTheLargerOfThreeIntervalsAndOneIntervalPlusTheTimeout() {
        #expect(HealthPublisher.staleThreshold(pollInterval: 5, httpTimeout: 10) == 20)
        #expect(HealthPublisher.staleThreshold(pollInterval: 60, httpTimeout: 10) == 180)
        #expect(HealthPublisher.staleThreshold(pollInterval: 0.1, httpTimeout: 1) == 6.1)
    }

    @Test func theStaleReasonSaysTheThreshold() {
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: 1, httpTimeout: 10)
        publisher.publish(Self.snapshot(ageSeconds: 17))
        let body = String(decoding: publisher.current().body, as: UTF8.self)
        #expect(publisher.current().status == 503)
        #expect(body.contains("has not finished a poll in over 16s"))
        #expect(body.contains("the larger of 3 poll intervals and one poll interval + HTTP_TIMEOUT + 5s"))
    }

    /// A poll that finishes between the clock read and the snapshot read must not look ancient
    /// (unsigned wrap-around) and get a fresh snapshot served as stale.
    @Test func aSnapshotNewerThanTheClockReadIsFresh() {
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: 5)
        let list = GPUList(gpus: [BackendInfoTests.h200], allowAttachAll: true)
        let snapshot = HealthSnapshot(
            outcome: .available(list), takenAt: Clock.monotonicNanoseconds() + 1_000_000_000,
            pubkey: BackendInfoTests.pubkey, ipAddress: nil)
        publisher.publish(snapshot)
        #expect(publisher.current() === snapshot.response)
        #expect(publisher.latestSnapshot === snapshot)
    }

    @Test func servesTheSnapshotRenderedAtPublishWithTheFixedAddress() {
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: "198.51.100.4", pollInterval: 5)
        #expect(String(decoding: publisher.current().body, as: UTF8.self).hasSuffix(#""ip_address":"198.51.100.4"}"#))
        let snapshot = publisher.publish(.unavailable(reason: "timed out"))
        #expect(publisher.current() === snapshot.response)
        #expect(publisher.current() === publisher.current())
        let body = String(decoding: snapshot.response.body, as: UTF8.self)
        #expect(body.contains(#""status":"Unavailable","metadata":"Error: timed out","ip_address":"198.51.100.4"}"#))
        #expect(snapshot.response.status == 503)
    }
}
