import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's start-up order and shutdown, in one place.
///
/// 1. Log the settings. 2. Load or create the key. 3. Bind the listen address without listening (a port in
/// use fails here, before the registry hears from us). 4. First VMM poll (so the first /health has data, and
/// `NODE_TYPE=auto` has GPUs to look at). 5. Register (retrying; SIGTERM ends it). A worker the registry knows
/// never waits for the VMM; only `POST /workers` needs the node type, so only an unregistered `auto` node
/// waits for it. 6. Listen and serve, with the poller, the permission re-check and (when the record could not
/// be read at start) the owner comparison on their own threads. 7. On SIGTERM/SIGINT: stop accepting, finish
/// in-flight responses, stop the threads, exit 0 (78 if the owner comparison found another owner).
public struct Daemon: Sendable {
    let configuration: Configuration
    let logger: Logger
    let stop: StopSignal
    /// Called once the server is bound, with its port (the demo prints its curl lines then).
    public var onListening: (@Sendable (HTTPServer) -> Void)?

    public init(configuration: Configuration, logger: Logger, stop: StopSignal) {
        self.configuration = configuration
        self.logger = logger
        self.stop = stop
    }

    /// Exit codes (`ExitStatus`): 0 after a clean shutdown, 1 on a start-up failure, 78 when the registry holds
    /// another owner, 128+signal if stopped before serving.
    public func run() -> Int32 {
        let config = configuration
        logger.info("Starting dstack-backend", ("version", BuildInfo.version))
        config.logSettings(to: logger)
        SignalHandling.logIgnoredSignals(to: logger)
        let maxConnections = DescriptorLimit.prepare(configuredMaxConnections: config.serverLimits.maxConnections, logger: logger)

        let key: NodeKey
        do {
            key = try Keystore.loadOrCreate(dataDirectory: config.dataDirectory, logger: logger)
        } catch {
            logger.error("Cannot use the node key", ("reason", error.description))
            return ExitStatus.failure
        }
        let pubkey = key.publicKey.hex
        logger.info("Node identity", ("pubkey", pubkey), ("npub", key.publicKey.npub))

        let listener: BoundListener
        do {
            listener = try BoundListener.bind(config.listenAddress)
        } catch {
            logger.error("Cannot listen", ("listen_addr", config.listenAddress.description), ("reason", error.reason))
            return ExitStatus.failure
        }
        logger.info("Bound the listen address; connections are refused until registration succeeds", ("listen_addr", config.listenAddress.description))

        let metrics = DaemonMetrics()
        let http = HTTPClient(configuration: config.httpClientConfiguration, cancellation: stop)
        let publisher = HealthPublisher(
            pubkey: pubkey, address: .configured(advertiseIP: config.advertiseIP),
            pollInterval: config.dstackPollInterval, httpTimeout: config.httpTimeout)
        logger.info("Advertised address", ("ip_address", publisher.ipAddress ?? "null"))
        let nodeTypes = NodeTypeCheck(pubkey: pubkey, metrics: metrics, logger: logger)
        let poller = DstackPoller(
            client: DstackClient(endpoint: config.dstackEndpoint, token: config.dstackToken, http: http),
            interval: config.dstackPollInterval, publisher: publisher, logger: logger
        ) { outcome, duration in
            switch outcome {
            case .available(let list):
                let free = list.gpus.filter(\.isFree).count
                metrics.recordPoll(succeeded: true, duration: duration, free: free, busy: list.gpus.count - free)
                nodeTypes.observe(list)
            case .unavailable:
                metrics.recordPoll(succeeded: false, duration: duration, free: 0, busy: 0)
            }
        }
        let first = poller.pollOnce()

        let nodeTypeSource = resolveNodeType(first: first, poller: poller, nodeTypes: nodeTypes)

        let signer = config.registryAuth == .nip98 ? NIP98Signer(key: key, logger: logger) : nil
        let registry = RegistryClient(
            baseURL: config.registryURL, http: http, headerProvider: signer?.headerProvider, logger: logger)
        let registration = WorkerRegistration(
            client: registry, owner: config.ownerAddress, nodeType: nodeTypeSource,
            backoff: config.registrationBackoff, logger: logger, onAttempt: { metrics.recordRegistrationAttempt($0) })
        let registered: RegistrationResult
        do {
            registered = try registration.run(pubkey: pubkey, stop: stop)
        } catch {
            if case .interrupted = error { return ExitStatus.stopped(by: stop.stopReason) }
            return error.exitStatus
        }
        metrics.registryAuthorized.set(registered.outcome == .authorized ? 1 : 0)
        metrics.registryOwnerVerified.set(registered.lookup == nil ? 0 : 1)
        if case .whenNeeded = nodeTypeSource {
            // Registered without the node type (the registry knew the worker): compare it once the VMM answers.
            if let record = registered.lookup?.record { nodeTypes.learn(record: record) }
            if nodeTypes.nodeType == nil {
                if let failure = nodeTypes.failure {
                    logger.warn(
                        "Cannot derive NODE_TYPE; the worker is registered already, so only the comparison with the registry's node type is skipped",
                        ("reason", failure.description))
                } else {
                    logger.info("NODE_TYPE=auto: the node type is derived, and compared with the registry's, once the VMM answers")
                }
                nodeTypes.deriveFromLaterPolls()
            }
        }

        var metricsRoute: (@Sendable () -> PreparedResponse)?
        if config.metricsEnabled {
            let cache = CachedResponse(maxAge: CachedResponse.metricsMaxAge) {
                PreparedResponse(status: 200, contentType: PrometheusText.contentType, text: metrics.render())
            }
            metricsRoute = { cache.current() }
        }
        let routes = BackendRoutes(health: { publisher.current() }, metrics: metricsRoute)
        let server: HTTPServer
        var limits = config.serverLimits
        limits.maxConnections = maxConnections
        do {
            server = try HTTPServer(listener: listener, limits: limits, handler: routes, logger: logger)
        } catch {
            logger.error("Cannot listen", ("listen_addr", config.listenAddress.description), ("reason", String(describing: error)))
            return ExitStatus.failure
        }
        metrics.attachServer(server.stats)

        let pollerThread = BackgroundThread(name: "dstack-poller") { poller.run(until: stop) }
        let recheck = PermissionRecheck(
            client: registry, pubkey: pubkey, interval: config.registryRecheckInterval, metrics: metrics, logger: logger,
            initial: registered.outcome)
        let recheckThread = BackgroundThread(name: "registry-recheck") { recheck.run(until: stop) }
        let lateExit = LateExit()
        let ownerThread: BackgroundThread? = registered.lookup != nil ? nil : BackgroundThread(name: "owner-verification") {
            OwnerVerification(
                client: registry, pubkey: pubkey, owner: config.ownerAddress, backoff: config.registrationBackoff,
                metrics: metrics, nodeTypes: nodeTypes, logger: logger,
                onMismatch: { mismatch in
                    logger.error(WorkerRegistration.failedMessagePrefix + mismatch.description)
                    logger.error(
                        "Stopping: the registry holds another owner for this worker, so serving would earn for it",
                        ("exit", String(mismatch.exitStatus)))
                    lateExit.request(mismatch.exitStatus)
                    stop.stop()
                }
            ).run(until: stop)
        }
        onListening?(server)
        server.run(until: stop)
        // A poll or re-check in the middle of a request notices the stop within libcurl's progress tick
        // (about a second); exit 0 within the second SIGTERM promises rather than wait for it.
        let pollerDone = pollerThread.join(timeout: .milliseconds(300))
        let recheckDone = recheckThread.join(timeout: .milliseconds(100))
        let ownerDone = ownerThread?.join(timeout: .milliseconds(100)) ?? true
        if !pollerDone || !recheckDone || !ownerDone {
            logger.debug(
                "Left a request in flight at shutdown", ("poller.done", String(pollerDone)),
                ("recheck.done", String(recheckDone)), ("owner_verification.done", String(ownerDone)))
        }
        let status = lateExit.status ?? ExitStatus.success
        logger.info("Stopped", ("reason", (stop.stopReason ?? .requested).description), ("exit", String(status)))
        return status
    }

    /// Where registration gets the node type: the configured one (with a warning if the GPUs disagree), the
    /// one derived from the first poll for `auto`, or, when the VMM has not answered, a wait for it that only
    /// a worker the registry does not know yet ever runs (`POST /workers` needs the type).
    private func resolveNodeType(first: PollOutcome, poller: DstackPoller, nodeTypes: NodeTypeCheck)
        -> WorkerRegistration.NodeTypeSource
    {
        switch configuration.nodeType {
        case .explicit(let name):
            if case .available(let list) = first,
                let detected = NodeTypeDetection.mismatch(configured: name, gpus: list.gpus.map { ($0.productID, $0.description) })
            {
                logger.warn(
                    "NODE_TYPE disagrees with the GPUs the VMM reports; the node registers as configured",
                    ("node_type.configured", name), ("node_type.detected", detected))
            }
            nodeTypes.learn(nodeType: name)
            return .known(name)
        case .auto:
            if case .available(let list) = first, let type = nodeTypes.derive(from: list, registered: false) {
                return .known(type)
            }
            return .whenNeeded { deadline throws(RegistrationError) in
                try waitForNodeType(until: deadline, poller: poller, nodeTypes: nodeTypes)
            }
        }
    }

    /// The hint every wait for the VMM gives: an explicit type registers at once.
    static let explicitNodeTypeHint =
        "set NODE_TYPE=<type> (e.g. NODE_TYPE=node-H100x8, node-H200x1 or CPU) to register without waiting for the VMM"

    /// Polls the VMM until the node type can be derived, the deadline passes or `stop` fires. Logs the wait
    /// when it starts and every 30 s after.
    private func waitForNodeType(
        until deadline: ContinuousClock.Instant, poller: DstackPoller, nodeTypes: NodeTypeCheck
    ) throws(RegistrationError) -> String {
        let started = ContinuousClock.now
        var reminded: ContinuousClock.Instant?
        while true {
            if let type = nodeTypes.nodeType { return type }
            if let failure = nodeTypes.failure { throw .nodeTypeUnavailable(reason: failure.description) }
            let now = ContinuousClock.now
            guard now < deadline else {
                throw .nodeTypeUnavailable(
                    reason: "NODE_TYPE=auto needs one successful dstack poll to register the worker and none succeeded in "
                        + "\(SettingParsers.format(started.duration(to: now))) (REGISTRATION_TIMEOUT): start the VMM or check "
                        + "DSTACK_URL, or \(Self.explicitNodeTypeHint)")
            }
            if reminded.map({ $0.duration(to: now) >= .seconds(30) }) ?? true {
                logger.warn(
                    "NODE_TYPE=auto is waiting for the VMM to answer: the worker is not registered and POST /workers needs its node type",
                    ("retry.in", SettingParsers.format(configuration.dstackPollInterval)),
                    ("dstack.url", configuration.dstackEndpoint.description), ("hint", Self.explicitNodeTypeHint))
                reminded = now
            }
            if stop.wait(for: min(configuration.dstackPollInterval, now.duration(to: deadline))) {
                throw .interrupted(reason: (stop.stopReason ?? .requested).description)
            }
            if case .available(let list) = poller.pollOnce() {
                nodeTypes.derive(from: list, registered: false)
            }
        }
    }
}

/// An exit status a background thread asks for before it stops the daemon (78 for an owner mismatch seen
/// while serving); the first request wins.
private final class LateExit: Sendable {
    private let code = Atomic<Int32>(-1)

    func request(_ status: Int32) {
        _ = code.compareExchange(expected: -1, desired: status, ordering: .relaxed)
    }

    var status: Int32? {
        let value = code.load(ordering: .relaxed)
        return value < 0 ? nil : value
    }
}
