import Synchronization

/// Polls the VMM every interval on its own thread and publishes each result for `/health`.
///
/// Logs when the state changes, not on every poll: a node polled every 5 s for a month must not fill a
/// disk. Failures log the contract's `Failed to connect to dstack: <reason>` when they start and when the
/// reason changes. Each poll also re-reads the advertised address (see `AdvertisedAddress.Source`) and
/// logs when it changes.
public final class DstackPoller: Sendable {
    public let client: DstackClient
    public let interval: Double
    public let publisher: HealthPublisher
    private let logger: Logger
    private let previous = Mutex<PollOutcome?>(nil)
    private let observer = Mutex<(@Sendable (PollOutcome, Double) -> Void)?>(nil)

    public init(client: DstackClient, interval: Double, publisher: HealthPublisher, logger: Logger) {
        self.client = client
        self.interval = interval
        self.publisher = publisher
        self.logger = logger
    }

    /// Told each outcome and its duration in seconds (for metrics). Set before `run`.
    public var onPoll: (@Sendable (PollOutcome, Double) -> Void)? {
        get { observer.withLock { $0 } }
        set { observer.withLock { $0 = newValue } }
    }

    /// One poll: ask, publish, log a change, tell the observer.
    @discardableResult
    public func pollOnce() -> PollOutcome {
        let started = Clock.monotonicNanoseconds()
        let outcome: PollOutcome
        do {
            outcome = .available(try client.listGPUs())
        } catch {
            outcome = .unavailable(reason: error.description)
        }
        let seconds = Double(Clock.monotonicNanoseconds() - started) / 1e9
        let addressBefore = publisher.ipAddress
        let snapshot = publisher.publish(outcome)
        logChange(to: outcome)
        if snapshot.ipAddress != addressBefore {
            logger.info(
                "Advertised address changed", ("ip_address", snapshot.ipAddress ?? "null"),
                ("ip_address.before", addressBefore ?? "null"))
        }
        onPoll?(outcome, seconds)
        return outcome
    }

    /// Polls every `interval` until `stop` fires; blocks, so run it on its own thread after a first `pollOnce()`.
    ///
    /// The interval runs from the end of one poll to the start of the next, so a slow VMM never causes
    /// overlapping polls. A poll in flight ends at the HTTP client's timeout, or at once when the client
    /// was built with this `stop` as its cancellation.
    public func run(until stop: StopSignal) {
        while !stop.wait(seconds: interval) {
            pollOnce()
        }
    }

    private func logChange(to outcome: PollOutcome) {
        let before = previous.withLock { value -> PollOutcome? in
            let old = value
            value = outcome
            return old
        }
        switch (before, outcome) {
        case (.available(let old), .available(let new)):
            if old.gpus.count != new.gpus.count || old.freeCount != new.freeCount {
                logger.info(
                    "GPU set changed", ("gpus", String(new.gpus.count)), ("gpus.free", String(new.freeCount)),
                    ("gpus.before", String(old.gpus.count)), ("gpus.free.before", String(old.freeCount)))
            }
        case (.unavailable, .available(let new)):
            logger.info("dstack is available again", ("gpus", String(new.gpus.count)), ("gpus.free", String(new.freeCount)))
        case (nil, .available(let new)):
            logger.info(
                "dstack answered", ("dstack.url", client.endpoint.description), ("gpus", String(new.gpus.count)),
                ("gpus.free", String(new.freeCount)), ("allow_attach_all", String(new.allowAttachAll)))
        case (.unavailable(let oldReason), .unavailable(let reason)):
            if oldReason != reason {
                logger.error("Failed to connect to dstack: \(reason)")
            }
        case (_, .unavailable(let reason)):
            logger.error("Failed to connect to dstack: \(reason)")
        }
    }
}
