import Synchronization

/// Holds the newest `/health` response for the server to copy out.
///
/// `publish` swaps a reference under a mutex; `current()` takes it (a retain) and never holds the lock
/// while anything is rendered or written to a socket. If the poller has not published for 3 intervals it
/// is stuck, and `current()` answers Unavailable with a reason that says so (rendered once per snapshot).
public final class HealthPublisher: Sendable {
    public let pubkey: String
    /// Where `ip_address` comes from; a `.defaultRoute` is looked up again on every `publish(_:)`.
    public let addressSource: AdvertisedAddress.Source
    /// Seconds after which the newest snapshot counts as stale: 3 poll intervals.
    public let staleAfter: Double

    private struct State {
        var snapshot: HealthSnapshot?
        /// The stale response for `snapshot`, rendered on the first request that finds it stale.
        var stale: PreparedResponse?
    }

    private let state = Mutex(State())
    /// Served until the first poll publishes (the daemon polls once before it listens, so rarely seen).
    private let initial: PreparedResponse
    private let initialAddress: String?

    /// A publisher advertising `ipAddress` for the process's life (`nil`: always `null`).
    public convenience init(pubkey: String, ipAddress: String?, pollInterval: Double) {
        self.init(pubkey: pubkey, address: .fixed(ipAddress), pollInterval: pollInterval)
    }

    /// A publisher whose `ip_address` comes from `address`, resolved now and on every publish.
    public init(pubkey: String, address: AdvertisedAddress.Source, pollInterval: Double) {
        self.pubkey = pubkey
        self.addressSource = address
        self.staleAfter = pollInterval * 3
        initialAddress = address.resolve()
        initial = BackendInfo.response(
            pubkey: pubkey, ipAddress: initialAddress, outcome: .unavailable(reason: "no dstack poll has finished yet"))
    }

    /// The `ip_address` of the newest snapshot (or of start-up, before the first one).
    public var ipAddress: String? {
        guard let snapshot = latestSnapshot else { return initialAddress }
        return snapshot.ipAddress
    }

    /// Makes `snapshot` the one `/health` serves.
    public func publish(_ snapshot: HealthSnapshot) {
        state.withLock { $0 = State(snapshot: snapshot, stale: nil) }
    }

    /// Renders `outcome` with the address as it is now, publishes it and returns the snapshot.
    @discardableResult
    public func publish(_ outcome: PollOutcome) -> HealthSnapshot {
        let snapshot = HealthSnapshot(outcome: outcome, pubkey: pubkey, ipAddress: addressSource.resolve())
        publish(snapshot)
        return snapshot
    }

    public var latestSnapshot: HealthSnapshot? {
        state.withLock { $0.snapshot }
    }

    /// The response to serve now: a retained, ready-rendered value.
    public func current() -> PreparedResponse {
        let (snapshot, cachedStale) = state.withLock { ($0.snapshot, $0.stale) }
        guard let snapshot else { return initial }
        // Read the clock after the snapshot: a poll finishing in between must not look 500 years old.
        let now = Clock.monotonicNanoseconds()
        let age = now > snapshot.takenAt ? Double(now - snapshot.takenAt) / 1e9 : 0
        guard age > staleAfter else { return snapshot.response }
        if let cachedStale { return cachedStale }
        let reason =
            "the dstack poller has not finished a poll in over \(SettingParsers.formatSeconds(staleAfter))"
            + " (3 poll intervals); it may be stuck"
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
