/// The shortest value a duration setting accepts, and why: `DSTACK_POLL_INTERVAL=1ms` would poll the VMM a
/// thousand times a second and fill the log with its failures, so it is refused at start-up.
public struct DurationMinimum: Sendable, Equatable {
    public let duration: Duration
    /// What a shorter value would do, for the configuration error.
    public let why: String

    /// `DSTACK_POLL_INTERVAL`: 100 ms. Each poll is a fresh HTTP request to the VMM.
    public static let dstackPollInterval = DurationMinimum(
        duration: .milliseconds(100), why: "every poll is a request to the VMM, and a shorter interval only loads it")
    /// `REGISTRY_RECHECK_INTERVAL`: 1 s. The registry is shared by the whole fleet.
    public static let registryRecheckInterval = DurationMinimum(
        duration: .seconds(1), why: "every check is a request to the registry the whole fleet shares")
}
