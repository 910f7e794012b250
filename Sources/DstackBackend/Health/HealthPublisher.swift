import Synchronization

/// Holds the newest `/health` response for the server to copy out.
///
/// `publish` swaps a reference under a mutex; `current()` takes it (a retain) and never holds the lock
/// while anything is written to a socket. If the poller has not published for 3 intervals it is stuck,
/// and `current()` answers Unavailable with a reason that says so (rendered once per stale snapshot).
public final class HealthPublisher: Sendable {
    public let pubkey: String
    public let ipAddress: String?
    /// Seconds after which the newest snapshot counts as stale: 3 poll intervals.
    public let staleAfter: Double

    private struct State {
        var snapshot: HealthSnapshot?
        var stale: PreparedResponse?
    }

    private let state = Mutex(State())
    private let initial: PreparedResponse

    public init(pubkey: String, ipAddress: String?, pollInterval: Double) {
        self.pubkey = pubkey
        self.ipAddress = ipAddress
        self.staleAfter = pollInterval * 3
        initial = BackendInfo.response(
            pubkey: pubkey, ipAddress: ipAddress, outcome: .unavailable(reason: "no dstack poll has finished yet"))
    }

    public func publish(_ snapshot: HealthSnapshot) {
        state.withLock { $0 = State(snapshot: snapshot, stale: nil) }
    }

    /// Publishes a fresh snapshot of `outcome`.
    public func publish(_ outcome: PollOutcome) {
        publish(HealthSnapshot(outcome: outcome, pubkey: pubkey, ipAddress: ipAddress))
    }

    public var latestSnapshot: HealthSnapshot? {
        state.withLock { $0.snapshot }
    }

    /// The response to serve now.
    public func current() -> PreparedResponse {
        let now = Clock.monotonicNanoseconds()
        return state.withLock { state in
            guard let snapshot = state.snapshot else { return initial }
            let age = Double(now &- snapshot.takenAt) / 1e9
            guard age > staleAfter else { return snapshot.response }
            if let stale = state.stale { return stale }
            let reason = "the dstack poller has not finished a poll for \(Int(age)) s (more than 3 poll intervals); it may be stuck"
            let rendered = BackendInfo.response(pubkey: pubkey, ipAddress: ipAddress, outcome: .unavailable(reason: reason))
            state.stale = rendered
            return rendered
        }
    }
}
