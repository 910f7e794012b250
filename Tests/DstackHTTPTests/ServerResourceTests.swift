import Synchronization
import Testing
import DstackCore
@testable import DstackHTTP
import DstackTestSupport

#if canImport(Glibc)
import Glibc
#endif

// Raising the limit itself is tested in a child process (ServerLimitsProcessTests), not in this shared one.

/// The connection cap that fits the descriptor limit, and the cached `/metrics` response.
@Suite struct ServerResourceTests {
    @Test func theCapLeavesTheReserveForThePollerAndNeverExceedsTheSetting() {
        let reserve = DescriptorLimit.reserve
        #expect(DescriptorLimit.connectionCap(configured: 4096, softLimit: 1024) == 1024 - reserve)
        #expect(DescriptorLimit.connectionCap(configured: 100, softLimit: 1_048_576) == 100)
        #expect(DescriptorLimit.connectionCap(configured: 4096, softLimit: 64) == 64 - reserve)
        // A limit below the reserve still lets one client in (the operator is warned in the log).
        #expect(DescriptorLimit.connectionCap(configured: 4096, softLimit: 16) == 1)
        #expect(DescriptorLimit.connectionCap(configured: 4096, softLimit: UInt64(rlim_t.max)) == 4096)
    }

    @Test func theCachedResponseIsRenderedAgainOnlyWhenOlderThanItsMaxAge() {
        let clock = Mutex(ContinuousClock.now)
        let renders = Counter()
        let cache = CachedResponse(maxAge: .seconds(1), now: { clock.withLock { $0 } }) {
            renders.increment()
            return PreparedResponse(status: 200, contentType: "text/plain", text: "render \(renders.current)")
        }
        #expect(cache.current().body == Array("render 1".utf8))
        for _ in 0..<1000 { _ = cache.current() }
        clock.withLock { $0 += .milliseconds(999) }
        #expect(cache.current().body == Array("render 1".utf8))
        #expect(renders.current == 1)
        clock.withLock { $0 += .milliseconds(1) }
        #expect(cache.current().body == Array("render 2".utf8))
        #expect(renders.current == 2)
    }
}
