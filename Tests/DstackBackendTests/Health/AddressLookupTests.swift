import Foundation
import Testing
@testable import DstackBackend
import DstackTestSupport

/// Issue 13: a route table that cannot be read is not "no default route".
@Suite struct AddressLookupTests {
    @Test func aMissingRouteTableMeansNoRoute() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(AdvertisedAddress.lookup(routeTable: directory.path + "/absent") == .found(nil))
    }

    @Test func anUnreadableRouteTableIsAFailedLookupThatSaysWhy() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A directory opens but cannot be read (EISDIR): the lookup failed, it did not find "no route".
        guard case .failed(let reason) = AdvertisedAddress.lookup(routeTable: directory.path) else {
            Issue.record("an unreadable route table was taken as an answer")
            return
        }
        #expect(reason.contains("read \(directory.path) failed"))
        #expect(!reason.hasPrefix(FileDescriptors.exhaustedReason))
    }

    @Test func exhaustionIsWordedAsOurs() {
        let reason = FileDescriptors.describe(SystemError(call: "open", errno: EMFILE), subject: "/proc/net/route")
        #expect(reason.hasPrefix("out of file descriptors: open /proc/net/route failed: "))
        #expect(reason.contains("LimitNOFILE="))
        #expect(!FileDescriptors.describe(SystemError(call: "open", errno: EACCES), subject: "x").contains("out of file"))
    }

    @Test func aFailedLookupKeepsTheLastKnownAddress() {
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: "192.0.2.7", pollInterval: .seconds(5))
        let outcome = PollOutcome.available(GPUList(gpus: [], allowAttachAll: false))
        #expect(publisher.publish(outcome, address: .found("192.0.2.8")).ipAddress == "192.0.2.8")
        #expect(publisher.publish(outcome, address: .failed(reason: "out of file descriptors")).ipAddress == "192.0.2.8")
        #expect(publisher.publish(outcome, address: .found(nil)).ipAddress == nil)
    }
}
