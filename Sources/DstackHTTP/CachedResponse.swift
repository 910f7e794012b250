import DstackCore
import Synchronization

/// A response rendered at most once per `maxAge` and served as is in between.
///
/// For `/metrics`: it is a snapshot anyway, and rendering it costs far more than serving ready bytes, so a
/// client pipelining thousands of scrapes gets the same bytes instead of making the loop render each one.
public final class CachedResponse: Sendable {
    /// How old the `/metrics` text may be (README says so).
    public static let metricsMaxAge = 1.0

    private let maxAgeNanoseconds: UInt64
    private let render: @Sendable () -> PreparedResponse
    private let now: @Sendable () -> UInt64
    private let cached: Mutex<(response: PreparedResponse, renderedAt: UInt64)?> = Mutex(nil)

    public init(
        maxAge: Double, now: @escaping @Sendable () -> UInt64 = { Clock.monotonicNanoseconds() },
        render: @escaping @Sendable () -> PreparedResponse
    ) {
        self.maxAgeNanoseconds = UInt64(max(0, maxAge) * 1e9)
        self.render = render
        self.now = now
    }

    /// The cached response, rendered again first if it is older than `maxAge`.
    public func current() -> PreparedResponse {
        let time = now()
        return cached.withLock { cached in
            if let entry = cached, time &- entry.renderedAt < maxAgeNanoseconds { return entry.response }
            let response = render()
            cached = (response, time)
            return response
        }
    }
}
