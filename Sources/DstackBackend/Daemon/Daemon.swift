#if canImport(Glibc)
import Glibc
#endif

/// The daemon's start-up order and shutdown, in one place.
///
/// 1. Log the settings. 2. Load or create the key. 3. Bind the listen address without listening (a port in
/// use fails here, before the registry hears from us). 4. First VMM poll (so the first /health has data, and
/// `NODE_TYPE=auto` has GPUs to look at). 5. Register (retrying; SIGTERM ends it). 6. Listen and serve,
/// with the poller and the permission re-check on their own threads. 6. On SIGTERM/SIGINT: stop
/// accepting, finish in-flight responses, stop the threads, exit 0.
public struct Daemon: Sendable {
    public let configuration: Configuration
    public let logger: Logger
    public let stop: StopSignal
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
        let poller = DstackPoller(
            client: DstackClient(endpoint: config.dstackEndpoint, token: config.dstackToken, http: http),
            interval: config.dstackPollInterval, publisher: publisher, logger: logger
        ) { outcome, duration in
            switch outcome {
            case .available(let list):
                let free = list.gpus.filter(\.isFree).count
                metrics.recordPoll(succeeded: true, duration: duration, free: free, busy: list.gpus.count - free)
            case .unavailable:
                metrics.recordPoll(succeeded: false, duration: duration, free: 0, busy: 0)
            }
        }
        let first = poller.pollOnce()

        let nodeType: String
        switch resolveNodeType(first: first, poller: poller) {
        case .resolved(let type): nodeType = type
        case .exit(let code): return code
        }
        metrics.setIdentity(pubkey: pubkey, nodeType: nodeType)

        let signer = config.registryAuth == .nip98 ? NIP98Signer(key: key, logger: logger) : nil
        let registry = RegistryClient(
            baseURL: config.registryURL, http: http, headerProvider: signer?.headerProvider, logger: logger)
        var registration = WorkerRegistration(
            client: registry, owner: config.ownerAddress, nodeType: nodeType, backoff: config.registrationBackoff,
            logger: logger)
        registration.onAttempt = { metrics.recordRegistrationAttempt($0) }
        let registered: RegistrationOutcome
        do {
            registered = try registration.run(pubkey: pubkey, stop: stop)
        } catch {
            if case .interrupted = error { return ExitStatus.stopped(by: stop.stopReason) }
            return error.exitStatus
        }
        metrics.registryAuthorized.set(registered == .authorized ? 1 : 0)

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
            initial: registered)
        let recheckThread = BackgroundThread(name: "registry-recheck") { recheck.run(until: stop) }
        onListening?(server)
        server.run(until: stop)
        // A poll or re-check in the middle of a request notices the stop within libcurl's progress tick
        // (about a second); exit 0 within the second SIGTERM promises rather than wait for it.
        let pollerDone = pollerThread.join(timeout: .milliseconds(300))
        let recheckDone = recheckThread.join(timeout: .milliseconds(100))
        if !pollerDone || !recheckDone {
            logger.debug("Left a request in flight at shutdown", ("poller.done", String(pollerDone)), ("recheck.done", String(recheckDone)))
        }
        logger.info("Stopped", ("reason", (stop.stopReason ?? .requested).description))
        return 0
    }

    /// The node type to register: the configured one (with a warning if the GPUs disagree), or for `auto`
    /// the one derived from the first successful poll, polling again until the registration budget ends.
    private enum NodeTypeResolution {
        case resolved(String)
        case exit(Int32)
    }

    private func resolveNodeType(first: PollOutcome, poller: DstackPoller) -> NodeTypeResolution {
        switch configuration.nodeType {
        case .explicit(let name):
            if case .available(let list) = first,
                let detected = NodeTypeDetection.mismatch(configured: name, gpus: list.gpus.map { ($0.productID, $0.description) })
            {
                logger.warn(
                    "NODE_TYPE disagrees with the GPUs the VMM reports; the node registers as configured",
                    ("node_type.configured", name), ("node_type.detected", detected))
            }
            return .resolved(name)
        case .auto:
            var outcome = first
            let started = ContinuousClock.now
            while true {
                if case .available(let list) = outcome {
                    switch NodeTypeDetection.derive(list.gpus.map { ($0.productID, $0.description) }) {
                    case .success(let type):
                        logger.info("Derived NODE_TYPE from the GPUs", ("node_type", type))
                        return .resolved(type)
                    case .failure(let failure):
                        logger.error("Cannot derive NODE_TYPE", ("reason", failure.description))
                        return .exit(ExitStatus.failure)
                    }
                }
                let elapsed = started.duration(to: .now)
                guard elapsed < configuration.registrationTimeout else {
                    logger.error(
                        "NODE_TYPE=auto needs one successful dstack poll and none succeeded",
                        ("waited", SettingParsers.format(elapsed)))
                    return .exit(ExitStatus.failure)
                }
                logger.warn("NODE_TYPE=auto is waiting for the VMM to answer", ("retry.in", SettingParsers.format(configuration.dstackPollInterval)))
                if stop.wait(for: configuration.dstackPollInterval) {
                    return .exit(ExitStatus.stopped(by: stop.stopReason))
                }
                outcome = poller.pollOnce()
            }
        }
    }
}
