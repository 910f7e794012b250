/// What one poll found.
public enum PollOutcome: Sendable, Equatable {
    case available(GPUList)
    case unavailable(reason: String)
}

/// One poll's result, rendered once into the exact `/health` response.
final class HealthSnapshot: Sendable {
    let outcome: PollOutcome
    /// The `ip_address` rendered into `response`.
    let ipAddress: String?
    /// When the poll finished, on the publisher's clock.
    let takenAt: ContinuousClock.Instant
    let response: PreparedResponse

    init(outcome: PollOutcome, takenAt: ContinuousClock.Instant, pubkey: String, ipAddress: String?) {
        self.outcome = outcome
        self.ipAddress = ipAddress
        self.takenAt = takenAt
        self.response = BackendInfo.response(pubkey: pubkey, ipAddress: ipAddress, outcome: outcome)
    }
}
