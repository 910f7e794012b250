/// Start-up registration: make sure the registry knows this worker before the server binds.
///
/// Check `GET /permissions/{pubkey}`; if not registered, `POST /workers`; retry transient failures
/// with back-off inside one time budget; stop at once on a permanent refusal or the stop signal.
/// Logs the reference's lines, which operators grep for.
public struct WorkerRegistration: Sendable {
    public var client: RegistryClient
    public var owner: EthereumAddress
    /// The node type sent, already resolved (not `auto`).
    public var nodeType: String
    public var backoff: BackoffPolicy
    public var logger: Logger
    /// Told the outcome of every registry request the flow makes: `ok`, `retryable_error` or `rejected`
    /// (for `dstack_backend_registration_attempts_total`).
    public var onAttempt: (@Sendable (String) -> Void)?

    /// The contract's lines (CONTRACT.md section 3).
    public static let completedMessage = "Worker registration completed successfully"
    public static let authorizedMessage = "Worker is now authorized to communicate with the message network"
    public static let failedMessagePrefix = "Worker registration failed: "
    public static let cannotStartMessage = "Cannot start service without successful registration"

    public init(client: RegistryClient, owner: EthereumAddress, nodeType: String, backoff: BackoffPolicy, logger: Logger) {
        self.client = client
        self.owner = owner
        self.nodeType = nodeType
        self.backoff = backoff
        self.logger = logger
    }

    /// Everything from the configuration: registry URL, owner, timeouts and the back-off budget.
    ///
    /// `nodeType` is passed separately because `NODE_TYPE=auto` is resolved from the GPUs first.
    public init(
        configuration: Configuration, nodeType: String, logger: Logger,
        headerProvider: RegistryClient.HeaderProvider? = nil, cancellation: StopSignal? = nil
    ) {
        self.init(
            client: RegistryClient(
                baseURL: configuration.registryURL, http: HTTPClient(configuration: configuration.httpClientConfiguration, cancellation: cancellation),
                headerProvider: headerProvider, logger: logger),
            owner: configuration.ownerAddress, nodeType: nodeType, backoff: configuration.registrationBackoff,
            logger: logger)
    }

    /// Runs the flow for `pubkey` (64 lower-case hex). Returns once the worker is registered.
    ///
    /// On failure it has already logged `Worker registration failed: <reason>` and
    /// `Cannot start service without successful registration`; the caller exits 1
    /// (or 143/130 for `.interrupted`, which logs only a warning).
    public func run(pubkey: String, stop: StopSignal) throws(RegistrationError) {
        var run = Attempts(started: Clock.monotonicNanoseconds())
        do throws(RegistrationError) {
            try register(pubkey: pubkey, stop: stop, attempts: &run)
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
        let started: UInt64
        var total = 0

        var elapsedSeconds: Double {
            Double(Clock.monotonicNanoseconds() - started) / 1e9
        }
    }

    private func register(pubkey: String, stop: StopSignal, attempts: inout Attempts) throws(RegistrationError) {
        logger.info(
            "Checking worker registration", ("registry.url", client.baseURL.description), ("pubkey", pubkey))
        let status = try retrying("check", stop: stop, attempts: &attempts) { () throws(RegistryError) in
            try client.permissions(pubkey: pubkey)
        }
        switch status {
        case .registered:
            logger.info("Worker is already registered, skipping registration")
            logSuccess()
        case .notRegistered(let reason):
            logger.info(
                "Worker is not registered, registering", ("reason", reason), ("owner", owner.checksummed),
                ("node_type", nodeType))
            let response = try retrying("register", stop: stop, attempts: &attempts) { () throws(RegistryError) in
                try client.registerWorker(pubkey: pubkey, owner: owner, nodeType: nodeType)
            }
            logger.info("Worker registered", ("registry.status", String(response.status)))
            logSuccess()
            confirmPermissions(pubkey: pubkey)
        }
    }

    private func logSuccess() {
        logger.info(Self.completedMessage)
        logger.info(Self.authorizedMessage)
    }

    /// One more look after registering: some registries approve workers later. Never fails the flow.
    private func confirmPermissions(pubkey: String) {
        do {
            switch try client.permissions(pubkey: pubkey) {
            case .registered:
                logger.info("Registry confirms the worker may publish")
            case .notRegistered(let reason):
                logger.warn("Registry has not granted write permission yet; the worker stays pending", ("reason", reason))
            }
        } catch {
            logger.warn("Could not confirm the worker's permissions after registering", ("reason", error.description))
        }
    }

    /// Runs `operation` until it succeeds, fails permanently, the budget runs out or `stop` fires.
    private func retrying<T>(
        _ step: String, stop: StopSignal, attempts: inout Attempts, _ operation: () throws(RegistryError) -> T
    ) throws(RegistrationError) -> T {
        var failures = 0
        while true {
            if stop.isStopped { throw .interrupted(reason: stop.stopReason ?? "stop requested") }
            attempts.total += 1
            let error: RegistryError
            do {
                let result = try operation()
                onAttempt?("ok")
                return result
            } catch let caught {
                error = caught
            }
            onAttempt?(error.isTransient ? "retryable_error" : "rejected")
            if stop.isStopped { throw .interrupted(reason: stop.stopReason ?? "stop requested") }
            guard error.isTransient else { throw .rejected(error) }
            failures += 1
            let remaining = backoff.budget - attempts.elapsedSeconds
            guard remaining > 0 else {
                throw .gaveUp(attempts: attempts.total, seconds: attempts.elapsedSeconds, lastError: error)
            }
            var delay = backoff.delay(afterAttempt: failures)
            if let asked = error.retryAfter {
                delay = max(delay, min(asked, backoff.maximumDelay))
            }
            delay = min(delay, remaining)
            logger.warn(
                "Registry request failed, retrying", ("step", step), ("reason", error.description),
                ("attempt", String(attempts.total)), ("retry.in", SettingParsers.formatSeconds(delay)))
            if stop.wait(seconds: delay) {
                throw .interrupted(reason: stop.stopReason ?? "stop requested")
            }
        }
    }
}
