import DstackCore
import Synchronization

/// A response rendered at most once per `maxAge` and served as is in between.
///
/// For `/metrics`: it is a snapshot anyway, and rendering it costs far more than serving ready bytes, so a
/// client pipelining thousands of scrapes gets the same bytes instead of making the loop render each one.
public final class CachedResponse: Sendable {
    /// How old the `/metrics` text may be (README says so).
    public static let metricsMaxAge = Duration.seconds(1)

    private let maxAge: Duration
    private let render: @Sendable () -> PreparedResponse
    private let now: @Sendable () -> ContinuousClock.Instant
    private let cached: Mutex<(response: PreparedResponse, renderedAt: ContinuousClock.Instant)?> = Mutex(nil)

    public init(
        maxAge: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        render: @escaping @Sendable () -> PreparedResponse
    ) {
        self.maxAge = maxAge
        self.render = render
        self.now = now
    }

    /// The cached response, rendered again first if it is older than `maxAge`.
    public func current() -> PreparedResponse {
        let time = now()
        return cached.withLock { cached in
            if let entry = cached, entry.renderedAt.duration(to: time) < maxAge { return entry.response }
            let response = render()
            cached = (response, time)
            return response
        }
    }
}
