/// Start-up registration: make sure the registry knows this worker, for our owner, before the server listens.
///
/// Speaks to every registry generation the reference did: `GET /permissions/{pubkey}` (v0.1),
/// `GET /workers/{pubkey}` (v0.2), `POST /workers` (409 = already there). Retries transient failures
/// with back-off inside one time budget; stops at once on a permanent refusal, an owner mismatch or the
/// stop signal. Logs the reference's lines, which operators grep for. Two things never hold up a worker the
/// registry already authorizes: the node type (only `POST /workers` needs it) and a failing record lookup
/// (only the owner comparison needs it; the daemon retries that in the background).
struct WorkerRegistration: Sendable {
    /// Where the node type for `POST /workers` comes from.
    enum NodeTypeSource: Sendable {
        /// Known before the registry is asked (an explicit `NODE_TYPE`, or `auto` resolved already); a
        /// record holding another type is warned about.
        case known(String)
        /// `NODE_TYPE=auto` before the VMM has answered: asked only when the worker must be registered, and
        /// may wait for the VMM until the deadline it gets (the end of the registration budget). A worker the
        /// registry knows already never waits; its caller compares the type once the VMM answers.
        case whenNeeded(@Sendable (_ deadline: ContinuousClock.Instant) throws(RegistrationError) -> String)
    }

    var client: RegistryClient
    var owner: EthereumAddress
    var nodeType: NodeTypeSource
    var backoff: BackoffPolicy
    var logger: Logger
    /// Told the outcome of every registry request the flow makes: `ok`, `retryable_error` or `rejected`
    /// (for `dstack_backend_registration_attempts_total`).
    var onAttempt: (@Sendable (String) -> Void)?

    /// The contract's lines (CONTRACT.md section 3).
    static let completedMessage = "Worker registration completed successfully"
    static let authorizedMessage = "Worker is now authorized to communicate with the message network"
    static let failedMessagePrefix = "Worker registration failed: "
    static let cannotStartMessage = "Cannot start service without successful registration"

    /// Runs the flow for `pubkey` (64 lower-case hex). Returns once the worker is registered, saying whether the
    /// registry authorizes it yet and what `GET /workers/<pubkey>` found: nil when the registry authorizes the
    /// worker but the lookup failed (5xx, timeout), so the owner is not compared yet and the caller retries it
    /// in the background (`OwnerVerification`) while serving.
    ///
    /// On failure it has already logged `Worker registration failed: <reason>` and
    /// `Cannot start service without successful registration`; the caller exits with the error's
    /// `exitStatus` (or 143/130 for `.interrupted`, which logs only a warning).
    @discardableResult
    func run(pubkey: String, stop: StopSignal) throws(RegistrationError) -> RegistrationResult {
        var run = Attempts(started: .now)
        do throws(RegistrationError) {
            return try register(pubkey: pubkey, stop: stop, attempts: &run)
        } catch {
            if case .interrupted(let reason) = error {
                logger.warn("Worker registration interrupted", ("reason", reason))
            } else {
                logger.error(Self.failedMessagePrefix + error.description)
                logger.error(Self.cannotStartMessage)
            }
            throw error
        }
    }

    private struct Attempts {
        let started: ContinuousClock.Instant
        var total = 0

        var elapsedSeconds: Double {
            started.duration(to: .now).inSeconds
        }
    }

    /// The decision, in order: `/permissions` AllowAll → authorized; else a record at `GET /workers/{pubkey}`
    /// → registered and pending, no POST; else POST (409 = already registered). The record, whenever there
    /// is one, must name our owner.
    private func register(pubkey: String, stop: StopSignal, attempts: inout Attempts) throws(RegistrationError)
        -> RegistrationResult
    {
        logger.info(
            "Checking worker registration", ("registry.url", client.baseURL.description), ("pubkey", pubkey))
        let status = try retrying("check", stop: stop, attempts: &attempts) { () throws(RegistryError) in
            try client.permissions(pubkey: pubkey)
        }
        switch status {
        case .registered: logger.info("Registry permissions say the worker is authorized")
        case .notRegistered(let reason): logger.info("Registry permissions do not authorize the worker", ("reason", reason))
        }
        // The lookup only serves the owner comparison: for an authorized worker a registry that fails it
        // must not keep the node offline, so one try here and the rest in the background.
        if status.isRegistered {
            let lookup = try lookUpOnce(pubkey: pubkey, stop: stop, attempts: &attempts)
            if let lookup { try compare(lookup, pubkey: pubkey) }
            logger.info("Worker is already registered, skipping registration")
            logger.info(Self.completedMessage)
            logger.info(Self.authorizedMessage)
            return RegistrationResult(outcome: .authorized, lookup: lookup)
        }
        let lookup = try retrying("lookup", stop: stop, attempts: &attempts) { () throws(RegistryError) in
            try client.worker(pubkey: pubkey)
        }
        try compare(lookup, pubkey: pubkey)
        if lookup.record != nil {
            logger.info("Worker is registered but not authorized yet, skipping registration")
            logger.info(Self.completedMessage)
            logPending(reason: Self.reason(status))
            return RegistrationResult(outcome: .pending, lookup: lookup)
        }
        let nodeType: String
        switch self.nodeType {
        case .known(let type): nodeType = type
        case .whenNeeded(let resolve): nodeType = try resolve(attempts.started + backoff.budget)
        }
        logger.info(
            "Worker is not registered, registering", ("reason", Self.reason(status)), ("owner", owner.checksummed),
            ("node_type", nodeType))
        let answer = try retrying("register", stop: stop, attempts: &attempts) { () throws(RegistryError) in
            try client.registerWorker(pubkey: pubkey, owner: owner, nodeType: nodeType)
        }
        switch answer {
        case .created(let code):
            logger.info("Worker registered", ("registry.status", String(code)))
        case .alreadyRegistered(let body):
            logger.info(
                "Registry says the worker is already registered (HTTP 409); not an error", ("registry.body", body))
        }
        logger.info(Self.completedMessage)
        return RegistrationResult(outcome: confirmPermissions(pubkey: pubkey), lookup: lookup)
    }

    /// One `GET /workers/<pubkey>` for an authorized worker: the lookup, or nil (logged) when it failed in a
    /// way worth retrying. A permanent refusal still ends the flow, as any other request's does.
    private func lookUpOnce(pubkey: String, stop: StopSignal, attempts: inout Attempts) throws(RegistrationError)
        -> WorkerLookup?
    {
        let lookup = try attempt(stop: stop, attempts: &attempts) { () throws(RegistryError) in
            try client.worker(pubkey: pubkey)
        }
        switch lookup {
        case .success(let lookup):
            return lookup
        case .failure(let error):
            logger.warn(
                Self.ownerNotComparedMessage, ("reason", error.description), ("owner", owner.checksummed),
                ("impact", "the node serves; it stops (exit 78) if the registry turns out to hold another owner"))
            return nil
        }
    }

    /// The warning when an authorized worker's record cannot be read: the node serves meanwhile.
    static let ownerNotComparedMessage =
        "The registry authorizes the worker but GET /workers/<pubkey> failed, so the owner could not be compared; serving, and retrying the comparison in the background"

    /// Stops on an owner the registry holds that is not ours; warns on another node type (when ours is known).
    private func compare(_ lookup: WorkerLookup, pubkey: String) throws(RegistrationError) {
        switch lookup {
        case .found(let record):
            logger.info(
                "Registry holds a record of this worker", ("registry.owner", record.printableOwner),
                ("registry.node_type", record.nodeType ?? "(none)"),
                ("registry.minted", String(record.isMinted)))
            if let mismatch = Self.ownerMismatch(record, owner: owner, pubkey: pubkey) { throw mismatch }
            if case .known(let nodeType) = self.nodeType {
                Self.warnIfNodeTypeDiffers(record, from: nodeType, logger: logger)
            }
        case .notFound:
            logger.info("Registry has no record of this worker at GET /workers/<pubkey>")
        case .unusable(let reason):
            logger.info("Registry answers GET /workers/<pubkey> without a worker record; the owner is not compared", ("reason", reason))
        }
    }

    /// The error for a record that names another owner than ours, nil when it names ours. The daemon stops
    /// on it at start and when the background comparison sees it later.
    static func ownerMismatch(_ record: WorkerRecord, owner: EthereumAddress, pubkey: String) -> RegistrationError? {
        record.isOwned(by: owner)
            ? nil : .ownerMismatch(registered: record.printableOwner, configured: owner.checksummed, pubkey: pubkey)
    }

    /// The registry keeps the node type of the first registration: another one is only a warning.
    static func warnIfNodeTypeDiffers(_ record: WorkerRecord, from nodeType: String, logger: Logger) {
        if let stored = record.nodeType(differingFrom: nodeType) {
            logger.warn(
                "The registry holds another node type for this worker; it keeps the one from the first registration",
                ("registry.node_type", stored), ("node_type", nodeType))
        }
    }

    private static func reason(_ status: PermissionStatus) -> String {
        if case .notRegistered(let reason) = status { return reason }
        return "authorized"
    }

    private func logPending(reason: String) {
        logger.warn(
            "Registry has not granted write permission yet; the worker stays pending",
            ("reason", reason), ("hint", "the node serves /health meanwhile; the re-check logs when the registry authorizes it"))
    }

    /// One more look after registering: some registries approve workers later. Never fails the flow.
    private func confirmPermissions(pubkey: String) -> RegistrationOutcome {
        do {
            switch try client.permissions(pubkey: pubkey) {
            case .registered:
                logger.info(Self.authorizedMessage)
                return .authorized
            case .notRegistered(let reason):
                logPending(reason: reason)
                return .pending
            }
        } catch {
            logger.warn("Could not confirm the worker's permissions after registering", ("reason", error.description))
            return .pending
        }
    }

    /// Makes one request, counted and reported to `onAttempt`: its result, or the error when it is worth
    /// retrying. Throws on `stop` and on a permanent refusal.
    private func attempt<T>(
        stop: StopSignal, attempts: inout Attempts, _ operation: () throws(RegistryError) -> T
    ) throws(RegistrationError) -> Result<T, RegistryError> {
        if let reason = stop.stopReason { throw .interrupted(reason: reason.description) }
        attempts.total += 1
        do {
            let result = try operation()
            onAttempt?("ok")
            return .success(result)
        } catch {
            onAttempt?(error.isTransient ? "retryable_error" : "rejected")
            if let reason = stop.stopReason { throw .interrupted(reason: reason.description) }
            guard error.isTransient else { throw .rejected(error) }
            return .failure(error)
        }
    }

    /// Runs `operation` until it succeeds, fails permanently, the budget runs out or `stop` fires.
    private func retrying<T>(
        _ step: String, stop: StopSignal, attempts: inout Attempts, _ operation: () throws(RegistryError) -> T
    ) throws(RegistrationError) -> T {
        var failures = 0
        while true {
            let error: RegistryError
            switch try attempt(stop: stop, attempts: &attempts, operation) {
            case .success(let result): return result
            case .failure(let failure): error = failure
            }
            failures += 1
            let remaining = backoff.budget - .seconds(attempts.elapsedSeconds)
            guard remaining > .zero else {
                throw .gaveUp(attempts: attempts.total, seconds: attempts.elapsedSeconds, lastError: error)
            }
            var delay = backoff.delay(afterAttempt: failures)
            if let asked = error.retryAfter {
                delay = max(delay, min(.seconds(asked), backoff.maximumDelay))
            }
            delay = min(delay, remaining)
            logger.warn(
                "Registry request failed, retrying", ("step", step), ("reason", error.description),
                ("attempt", String(attempts.total)), ("retry.in", SettingParsers.format(delay)))
            if stop.wait(for: delay), let reason = stop.stopReason {
                throw .interrupted(reason: reason.description)
            }
        }
    }
}
