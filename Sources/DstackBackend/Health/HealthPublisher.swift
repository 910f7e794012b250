import Synchronization

/// Holds the newest `/health` response for the server to copy out.
///
/// `publish` swaps a reference under a mutex; `current()` takes it (a retain) and never holds the lock
/// while anything is rendered or written to a socket. If the poller has not published for `staleAfter`
/// (see `staleThreshold`) it is stuck, and `current()` answers Unavailable with a reason that says so
/// (rendered once per snapshot).
public final class HealthPublisher: Sendable {
    let pubkey: String
    /// Where `ip_address` comes from; the poller looks a `.defaultRoute` up again on every poll.
    let addressSource: AdvertisedAddress.Source
    /// How old the newest snapshot may get before it counts as stale: `staleThreshold(pollInterval:httpTimeout:margin:)`.
    let staleAfter: Duration
    /// The slack in `staleAfter` on top of one poll interval and one request timeout.
    let staleMargin: Duration
    /// The daemon's `staleMargin`: time for the address lookup, scheduling and a loaded machine.
    public static let defaultStaleMargin = Duration.seconds(5)
    /// What snapshots are stamped and aged with; the poller keeps its schedule on it too.
    let clock: any MonotonicClock

    /// The larger of 3 poll intervals and one interval + `HTTP_TIMEOUT` + `margin`.
    ///
    /// Polls run back to back, so a healthy poller publishes at least every interval + one request's time;
    /// a slow VMM whose answers take most of `HTTP_TIMEOUT` is slow, not stuck, and must not read as down.
    static func staleThreshold(
        pollInterval: Duration, httpTimeout: Duration, margin: Duration = defaultStaleMargin
    ) -> Duration {
        max(pollInterval * 3, pollInterval + httpTimeout + margin)
    }

    private struct State {
        var snapshot: HealthSnapshot?
        /// The stale response for `snapshot`, rendered on the first request that finds it stale.
        var stale: PreparedResponse?
    }

    private let state = Mutex(State())
    /// Served until the first poll publishes (the daemon polls once before it listens, so rarely seen).
    private let initial: PreparedResponse
    private let initialAddress: String?

    /// A publisher whose `ip_address` comes from `address`, resolved now and on every publish.
    ///
    /// - Parameters:
    ///   - httpTimeout: `HTTP_TIMEOUT`, the longest one VMM request may take (see `staleThreshold`).
    ///   - staleMargin: the slack in the threshold.
    ///   - clock: what snapshots are stamped and aged with; tests pass one they move by hand.
    public init(
        pubkey: String, address: AdvertisedAddress.Source, pollInterval: Duration,
        httpTimeout: Duration = HTTPClientConfiguration.defaultTotalTimeout,
        staleMargin: Duration = defaultStaleMargin, clock: any MonotonicClock = .system
    ) {
        self.pubkey = pubkey
        self.clock = clock
        self.addressSource = address
        self.staleMargin = staleMargin
        self.staleAfter = Self.staleThreshold(pollInterval: pollInterval, httpTimeout: httpTimeout, margin: staleMargin)
        initialAddress = address.resolve()
        initial = BackendInfo.response(
            pubkey: pubkey, ipAddress: initialAddress, outcome: .unavailable(reason: "no dstack poll has finished yet"))
    }

    /// The `ip_address` of the newest snapshot (or of start-up, before the first one).
    var ipAddress: String? {
        guard let snapshot = latestSnapshot else { return initialAddress }
        return snapshot.ipAddress
    }

    /// Makes `snapshot` the one `/health` serves.
    func publish(_ snapshot: HealthSnapshot) {
        state.withLock { $0 = State(snapshot: snapshot, stale: nil) }
    }

    /// Renders `outcome` with the address `address` found, publishes it and returns the snapshot.
    ///
    /// A failed lookup (out of file descriptors, say) keeps the last known address: it says nothing about
    /// the route, and `null` would tell dephy-worker the node has no address.
    @discardableResult
    func publish(_ outcome: PollOutcome, address: AdvertisedAddress.Lookup) -> HealthSnapshot {
        let ipAddress: String? =
            switch address {
            case .found(let found): found
            case .failed: self.ipAddress
            }
        let snapshot = HealthSnapshot(outcome: outcome, takenAt: clock.now, pubkey: pubkey, ipAddress: ipAddress)
        publish(snapshot)
        return snapshot
    }

    var latestSnapshot: HealthSnapshot? {
        state.withLock { $0.snapshot }
    }

    /// The response to serve now: a retained, ready-rendered value.
    public func current() -> PreparedResponse {
        let (snapshot, cachedStale) = state.withLock { ($0.snapshot, $0.stale) }
        guard let snapshot else { return initial }
        // Read the clock after the snapshot: a poll finishing in between must not look stale.
        let age = snapshot.takenAt.duration(to: clock.now)
        guard age > staleAfter else { return snapshot.response }
        if let cachedStale { return cachedStale }
        let reason =
            "the dstack poller has not finished a poll in over \(SettingParsers.format(staleAfter))"
            + " (the stale threshold: the larger of 3 poll intervals and one poll interval + HTTP_TIMEOUT"
            + " + \(SettingParsers.format(staleMargin))); it may be stuck"
        let rendered = BackendInfo.response(
            pubkey: pubkey, ipAddress: snapshot.ipAddress, outcome: .unavailable(reason: reason))
        return state.withLock { state in
            // A poll published meanwhile: serve that fresh snapshot. Another request rendered first: keep its.
            if let latest = state.snapshot, latest !== snapshot { return latest.response }
            if let stale = state.stale { return stale }
            state.stale = rendered
            return rendered
        }
    }
}

/// What one poll found.
public enum PollOutcome: Sendable, Equatable {
    case available(GPUList)
    case unavailable(reason: String)
}

/// One poll's result, rendered once into the exact `/health` response.
final class HealthSnapshot: Sendable {
    /// The `ip_address` rendered into `response`.
    let ipAddress: String?
    /// When the poll finished, on the publisher's clock.
    let takenAt: ContinuousClock.Instant
    let response: PreparedResponse

    init(outcome: PollOutcome, takenAt: ContinuousClock.Instant, pubkey: String, ipAddress: String?) {
        self.ipAddress = ipAddress
        self.takenAt = takenAt
        self.response = BackendInfo.response(pubkey: pubkey, ipAddress: ipAddress, outcome: outcome)
    }
}
