/// When to try the registry again: exponential back-off with jitter inside a total time budget.
///
/// Delays double from `initialDelay` up to `maximumDelay`; each is shortened by a random part of up
/// to `jitterFraction` so a fleet restarted together does not hit the registry in lock-step.
/// Tests inject small delays and a fixed `random` to run fast and deterministically.
public struct BackoffPolicy: Sendable {
    /// Wait before the first retry.
    var initialDelay: Duration = .seconds(1)
    /// Longest wait between attempts.
    var maximumDelay: Duration = .seconds(30)
    /// Time, from the start of the flow, after which no new attempt starts (`REGISTRATION_TIMEOUT`).
    var budget: Duration = defaultBudget
    /// The share of each delay that jitter may take away, from 0 (none) to 1.
    var jitterFraction = 0.2
    /// A number in `0..<1` for each delay.
    var random: @Sendable () -> Double = { Double.random(in: 0..<1) }

    static let defaultBudget: Duration = .seconds(120)

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
        return nominal * (1 - min(1, max(0, jitterFraction)) * draw)
    }
}
