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
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: 0.05)
        publisher.publish(.available(GPUList(gpus: [BackendInfoTests.h200], allowAttachAll: true)))
        #expect(publisher.current().status == 200)
        Thread.sleep(forTimeInterval: 0.25)
        let stale = publisher.current()
        #expect(stale.status == 503)
        #expect(String(decoding: stale.body, as: UTF8.self).contains("has not finished a poll"))
        #expect(publisher.current() === stale)
        publisher.publish(.available(GPUList(gpus: [], allowAttachAll: false)))
        #expect(publisher.current().status == 200)
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
