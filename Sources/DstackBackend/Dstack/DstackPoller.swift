import Synchronization

/// Polls the VMM every interval on its own thread and publishes each result for `/health`.
///
/// Logs when the state changes, not on every poll: a node polled every 5 s for a month must not fill a
/// disk. Failures log the contract's `Failed to connect to dstack: <reason>` when they start and when the
/// failure changes (`isSameFailure`). An outage that lasts is reminded with its duration so far (after
/// `outageReminder`, then at doubling gaps up to an hour), and recovery logs how long it lasted. The first
/// answer is `dstack answered`, or `dstack is available` with how long start-up waited when the first polls
/// failed: a VMM this daemon never reached has not recovered. Each poll also re-reads the advertised address
/// (see `AdvertisedAddress.Source`) and logs when it changes. A poll cut short by our own shutdown says
/// nothing about the VMM: it is neither published, logged nor reported to `onPoll`. `LOG_LEVEL=debug` adds a
/// line per poll with its duration.
public final class DstackPoller: Sendable {
    let client: DstackClient
    let interval: Duration
    let publisher: HealthPublisher
    /// Outage before the first "still unavailable" reminder (5 minutes by default).
    let outageReminder: Duration
    /// Told each outcome and how long the poll took (for metrics); nil for none.
    ///
    /// A `let`, fixed at `init`, on purpose: it was once a `var` kept in a `Mutex` and read with
    /// `withLock { $0 }`. `Mutex` is generic, so that closure gets the stored function `inout` through a
    /// reabstraction thunk, which hands it over wrapped and writes it back wrapped once more: every read
    /// nested the stored closure one thunk deeper, so each poll left 64 bytes on the heap and one more stack
    /// frame on every later call, without bound (issue 23; `onPollRunsAtTheSameDepthOnEveryPoll`).
    let onPoll: (@Sendable (PollOutcome, Duration) -> Void)?
    /// What polls, outages and the interval are timed with: the publisher's, so that `/health`'s staleness
    /// and the poll schedule read the same time (tests give the publisher a clock they move by hand).
    var clock: any MonotonicClock { publisher.clock }
    private let logger: Logger
    private let previous = Mutex<Result<GPUList, DstackError>?>(nil)
    /// Why the last address lookup failed, nil when it worked: a failure is logged when it starts or changes.
    private let addressFailure = Mutex<String?>(nil)
    private let outage = Mutex<Outage?>(nil)

    /// The gap between reminders never grows beyond this.
    static let maximumReminderGap = Duration.seconds(3600)

    /// An outage in progress: when it began and when it is next reminded.
    private struct Outage {
        let started: ContinuousClock.Instant
        /// Began with the first poll: its end is "dstack is available", not a recovery (the VMM never was
        /// available to this daemon).
        let atStartUp: Bool
        var nextReminder: ContinuousClock.Instant
        var gap: Duration
    }

    public init(
        client: DstackClient, interval: Duration, publisher: HealthPublisher, logger: Logger,
        outageReminder: Duration = .seconds(300), onPoll: (@Sendable (PollOutcome, Duration) -> Void)? = nil
    ) {
        self.client = client
        self.interval = interval
        self.publisher = publisher
        self.logger = logger
        self.outageReminder = outageReminder
        self.onPoll = onPoll
    }

    /// One poll: ask, publish, log a change, tell the observer.
    ///
    /// A poll the daemon's stop cancelled is returned (as Unavailable) but not published, logged or counted.
    @discardableResult
    public func pollOnce() -> PollOutcome {
        let started = clock.now
        let result = Result { () throws(DstackError) in try client.listGPUs() }
        let outcome: PollOutcome
        switch result {
        case .success(let list): outcome = .available(list)
        case .failure(let error):
            outcome = .unavailable(reason: error.description)
            if case .transport(let transport) = error, transport.kind == .cancelled { return outcome }
        }
        let duration = started.duration(to: clock.now)
        let milliseconds = String(duration.roundedMilliseconds)
        switch outcome {
        case .available(let list):
            logger.debug(
                "dstack poll", ("result", "ok"), ("duration_ms", milliseconds),
                ("gpus", String(list.gpus.count)), ("gpus.free", String(list.freeCount)))
        case .unavailable(let reason):
            logger.debug("dstack poll", ("result", "error"), ("duration_ms", milliseconds), ("reason", reason))
        }
        let addressBefore = publisher.ipAddress
        let lookup = publisher.addressSource.lookup()
        let snapshot = publisher.publish(outcome, address: lookup)
        logChange(to: result)
        logAddressLookup(lookup, kept: snapshot.ipAddress)
        if snapshot.ipAddress != addressBefore {
            logger.info(
                "Advertised address changed", ("ip_address", snapshot.ipAddress ?? "null"),
                ("ip_address.before", addressBefore ?? "null"))
        }
        onPoll?(outcome, duration)
        return outcome
    }

    /// Polls every `interval` until `stop` fires; blocks, so run it on its own thread after a first `pollOnce()`.
    ///
    /// The interval runs from the end of one poll to the start of the next, so a slow VMM never causes
    /// overlapping polls. A poll in flight ends at the HTTP client's timeout, or at once when the client
    /// was built with this `stop` as its cancellation.
    func run(until stop: StopSignal) {
        while !clock.wait(until: clock.now + interval, or: stop) {
            pollOnce()
        }
    }

    private func logAddressLookup(_ lookup: AdvertisedAddress.Lookup, kept: String?) {
        let failure: String? =
            switch lookup {
            case .found: nil
            case .failed(let reason): reason
            }
        let before = addressFailure.withLock { value in
            defer { value = failure }
            return value
        }
        if let failure, failure != before {
            logger.warn(
                "Cannot look up the advertised address; keeping the last known one", ("reason", failure),
                ("ip_address", kept ?? "null"))
        } else if failure == nil, before != nil {
            logger.info("The advertised address can be looked up again", ("ip_address", kept ?? "null"))
        }
    }

    private func logChange(to outcome: Result<GPUList, DstackError>) {
        let before = previous.withLock { value in
            defer { value = outcome }
            return value
        }
        switch (before, outcome) {
        case (.success(let old), .success(let new)):
            if old.gpus.count != new.gpus.count || old.freeCount != new.freeCount {
                logger.info(
                    "GPU set changed", ("gpus", String(new.gpus.count)), ("gpus.free", String(new.freeCount)),
                    ("gpus.before", String(old.gpus.count)), ("gpus.free.before", String(old.freeCount)))
            }
        case (.failure, .success(let new)):
            let (lasted, atStartUp) = endOutage()
            if atStartUp {
                logger.info(
                    "dstack is available", ("dstack.url", client.endpoint.description),
                    ("gpus", String(new.gpus.count)), ("gpus.free", String(new.freeCount)),
                    ("allow_attach_all", String(new.allowAttachAll)), ("waited", SettingParsers.format(lasted)),
                    ("waited.seconds", String(lasted.components.seconds)))
            } else {
                logger.info(
                    "dstack is available again", ("gpus", String(new.gpus.count)), ("gpus.free", String(new.freeCount)),
                    ("outage.duration", SettingParsers.format(lasted)),
                    ("outage.seconds", String(lasted.components.seconds)))
            }
        case (nil, .success(let new)):
            logger.info(
                "dstack answered", ("dstack.url", client.endpoint.description), ("gpus", String(new.gpus.count)),
                ("gpus.free", String(new.freeCount)), ("allow_attach_all", String(new.allowAttachAll)))
        case (.failure(let old), .failure(let error)):
            if !Self.isSameFailure(old, error) {
                logger.error("Failed to connect to dstack: \(error)")
            }
            if let downFor = dueReminder() {
                logger.error(
                    "dstack is still unavailable; /health says Unavailable",
                    ("down_for", SettingParsers.format(downFor)),
                    ("down_for.seconds", String(downFor.components.seconds)), ("reason", error.description))
            }
        case (_, .failure(let error)):
            beginOutage(atStartUp: before == nil)
            logger.error("Failed to connect to dstack: \(error)")
        }
    }

    /// Whether two failed polls are the same state, logged once: transport errors by their kind, since libcurl
    /// words a hung VMM as `Operation timed out after 10001 milliseconds with 0 bytes received` and a refused
    /// one as `... after 0 ms: ...`, a different line on almost every poll; the VMM's answers by status and text.
    static func isSameFailure(_ old: DstackError, _ new: DstackError) -> Bool {
        if case .transport(let old) = old, case .transport(let new) = new { return old.kind == new.kind }
        return old == new
    }

    private func beginOutage(atStartUp: Bool) {
        let now = clock.now
        outage.withLock {
            $0 = Outage(started: now, atStartUp: atStartUp, nextReminder: now + outageReminder, gap: outageReminder)
        }
    }

    /// How long the outage lasted, to the second, and whether it began at start-up; forgets it.
    private func endOutage() -> (Duration, atStartUp: Bool) {
        let now = clock.now
        return outage.withLock { state in
            defer { state = nil }
            guard let current = state else { return (.zero, false) }
            return (Self.rounded(current.started.duration(to: now)), current.atStartUp)
        }
    }

    /// The outage's duration so far, to the second, when a reminder is due (and schedules the next, twice as
    /// far), else nil.
    private func dueReminder() -> Duration? {
        let now = clock.now
        return outage.withLock { state -> Duration? in
            guard var current = state, now >= current.nextReminder else { return nil }
            current.gap = min(current.gap * 2, max(Self.maximumReminderGap, outageReminder))
            current.nextReminder = now + current.gap
            state = current
            return Self.rounded(current.started.duration(to: now))
        }
    }

    /// Outages are logged to the whole second.
    private static func rounded(_ duration: Duration) -> Duration {
        .seconds(Int(duration.inSeconds.rounded()))
    }
}
