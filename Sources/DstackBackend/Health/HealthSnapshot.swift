/// What one poll found.
public enum PollOutcome: Sendable, Equatable {
    case available(GPUList)
    case unavailable(reason: String)
}

/// One poll's result, rendered once into the exact `/health` response.
public final class HealthSnapshot: Sendable {
    public let outcome: PollOutcome
    /// The `ip_address` rendered into `response`.
    public let ipAddress: String?
    /// When the poll finished, on the publisher's clock.
    public let takenAt: ContinuousClock.Instant
    public let response: PreparedResponse

    public init(outcome: PollOutcome, takenAt: ContinuousClock.Instant, pubkey: String, ipAddress: String?) {
        self.outcome = outcome
        self.ipAddress = ipAddress
        self.takenAt = takenAt
        self.response = BackendInfo.response(pubkey: pubkey, ipAddress: ipAddress, outcome: outcome)
    }
}
