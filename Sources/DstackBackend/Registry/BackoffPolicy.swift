/// When to try the registry again: exponential back-off with jitter inside a total time budget.
///
/// Delays double from `initialDelay` up to `maximumDelay`; each is shortened by a random part of up
/// to `jitterFraction` so a fleet restarted together does not hit the registry in lock-step.
/// Tests inject small delays and a fixed `random` to run fast and deterministically.
public struct BackoffPolicy: Sendable {
    /// Wait before the first retry.
    var initialDelay: Duration
    /// Longest wait between attempts.
    var maximumDelay: Duration
    /// Time, from the start of the flow, after which no new attempt starts (`REGISTRATION_TIMEOUT`).
    var budget: Duration
    /// The share of each delay that jitter may take away, from 0 (none) to 1.
    var jitterFraction: Double
    /// A number in `0..<1` for each delay.
    var random: @Sendable () -> Double

    static let defaultInitialDelay: Duration = .seconds(1)
    static let defaultMaximumDelay: Duration = .seconds(30)
    static let defaultBudget: Duration = .seconds(120)

    init(
        initialDelay: Duration = defaultInitialDelay,
        maximumDelay: Duration = defaultMaximumDelay,
        budget: Duration = defaultBudget,
        jitterFraction: Double = 0.2,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.budget = budget
        self.jitterFraction = min(1, max(0, jitterFraction))
        self.random = random
    }

    /// The wait after failed attempt number `attempt` (1 for the first failure).
    func delay(afterAttempt attempt: Int) -> Duration {
        var nominal = initialDelay
        var doublings = attempt - 1
        while doublings > 0 && nominal < maximumDelay {
            nominal *= 2
            doublings -= 1
        }
        nominal = min(maximumDelay, nominal)
        let draw = min(max(random(), 0), 1)
        return nominal * (1 - jitterFraction * draw)
    }
}
