import Synchronization
import Testing
@testable import DstackBackend
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
        let clock = Atomic<UInt64>(1_000_000_000)
        let renders = Counter()
        let cache = CachedResponse(maxAge: 1, now: { clock.load(ordering: .relaxed) }) {
            renders.increment()
            return PreparedResponse(status: 200, contentType: "text/plain", text: "render \(renders.current)")
        }
        #expect(cache.current().body == Array("render 1".utf8))
        for _ in 0..<1000 { _ = cache.current() }
        clock.add(999_000_000, ordering: .relaxed)
        #expect(cache.current().body == Array("render 1".utf8))
        #expect(renders.current == 1)
        clock.add(1_000_000, ordering: .relaxed)
        #expect(cache.current().body == Array("render 2".utf8))
        #expect(renders.current == 2)
    }
}
