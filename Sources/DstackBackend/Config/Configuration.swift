/// Everything the daemon is told at start-up, parsed and checked once into typed values.
///
/// Build it with `Configuration.resolve(environment:flags:)` (see `Configuration+Resolve.swift`);
/// `settings` lists each setting's variable, flag, default and help for the CLI and the README.
public struct Configuration: Sendable {
    // MARK: Contract settings (names and defaults fixed by the deployed base)

    /// `LISTEN_ADDR`: where `/health` is served.
    public var listenAddress: ListenAddress
    /// `DSTACK_URL`, then `DSTACK_BACKEND_DSTACK_URL`: the dstack VMM.
    public var dstackEndpoint: DstackEndpoint
    /// `DATA_DIR`: holds the key file `key`.
    public var dataDirectory: String
    /// `REGISTRY_URL` (required): the worker registry, no trailing `/`.
    public var registryURL: HTTPURL
    /// `OWNER_ADDRESS` (required): sent to the registry in EIP-55 form.
    public var ownerAddress: EthereumAddress
    /// `NODE_TYPE`: sent to the registry; `.auto` is derived from the GPUs later.
    public var nodeType: NodeType

    // MARK: dstack

    /// `DSTACK_POLL_INTERVAL`: seconds between background `ListGpus` polls.
    public var dstackPollInterval: Double
    /// `DSTACK_TOKEN`: bearer token for VMMs that require one. Never logged.
    public var dstackToken: String?
    /// `ADVERTISE_IP`: the `ip_address` reported in `/health` instead of the detected one.
    public var advertiseIP: String?

    // MARK: Outbound HTTP and the registry

    /// `HTTP_CONNECT_TIMEOUT`: seconds to establish a connection (registry and dstack).
    public var httpConnectTimeout: Double
    /// `HTTP_TIMEOUT`: seconds for a whole outbound request, connect included.
    public var httpTimeout: Double
    /// `REGISTRATION_TIMEOUT`: seconds the start-up registration may keep retrying.
    public var registrationTimeout: Double
    /// `REGISTRY_RECHECK_INTERVAL`: seconds between background permission re-checks.
    public var registryRecheckInterval: Double
    /// `REGISTRY_AUTH`: how registry requests are authenticated.
    public var registryAuth: RegistryAuth

    // MARK: Server and logging

    /// `METRICS`: whether `/metrics` is served.
    public var metricsEnabled: Bool
    /// `LOG_LEVEL`.
    public var logLevel: LogLevel
    /// `LOG_FORMAT`.
    public var logFormat: LogFormat
    /// `MAX_CONNECTIONS`: open client connections at most; more are refused.
    public var maxConnections: Int
    /// `IDLE_TIMEOUT`: seconds a keep-alive connection may sit idle.
    public var idleTimeout: Double
    /// `REQUEST_TIMEOUT`: seconds a client has to send a complete request.
    public var requestTimeout: Double
    /// `MAX_HEADER_BYTES`: largest request head accepted.
    public var maxHeaderBytes: Int
    /// `MAX_BODY_BYTES`: largest request body accepted.
    public var maxBodyBytes: Int
    /// `MAX_HEADER_COUNT`: most header lines in one request.
    public var maxHeaderCount: Int
    /// `MAX_BUFFERED_OUTPUT_BYTES`: most response bytes held for a peer that does not read.
    public var maxBufferedOutputBytes: Int

    /// Where each setting's value came from, keyed by its primary variable name; absent means default.
    public var sources: [String: SettingSource]

    /// Defaults, shared by `init` and the settings table so the two cannot disagree.
    public enum Defaults {
        public static let dataDirectory = "./data"
        public static let dstackPollInterval = 5.0
        public static let httpConnectTimeout = HTTPClientConfiguration.defaultConnectTimeout
        public static let httpTimeout = HTTPClientConfiguration.defaultTotalTimeout
        public static let registrationTimeout = 120.0
        public static let registryRecheckInterval = 600.0
        public static let registryAuth = RegistryAuth.none
        public static let metricsEnabled = true
        public static let logLevel = LogLevel.info
        public static let logFormat = LogFormat.text
        public static let maxConnections = 4096
        public static let idleTimeout = 30.0
        public static let requestTimeout = 10.0
        public static let maxHeaderBytes = 8192
        public static let maxBodyBytes = 65536
        public static let maxHeaderCount = 100
        public static let maxBufferedOutputBytes = 65536
    }

    /// A configuration with every optional setting at its default; for tests and embedding.
    public init(
        registryURL: HTTPURL,
        ownerAddress: EthereumAddress,
        listenAddress: ListenAddress = .defaultValue,
        dstackEndpoint: DstackEndpoint = .http(HTTPURL(scheme: .http, host: "localhost", port: 19060, path: "")),
        dataDirectory: String = Defaults.dataDirectory,
        nodeType: NodeType = .defaultValue,
        dstackPollInterval: Double = Defaults.dstackPollInterval,
        dstackToken: String? = nil,
        advertiseIP: String? = nil,
        httpConnectTimeout: Double = Defaults.httpConnectTimeout,
        httpTimeout: Double = Defaults.httpTimeout,
        registrationTimeout: Double = Defaults.registrationTimeout,
        registryRecheckInterval: Double = Defaults.registryRecheckInterval,
        registryAuth: RegistryAuth = Defaults.registryAuth,
        metricsEnabled: Bool = Defaults.metricsEnabled,
        logLevel: LogLevel = Defaults.logLevel,
        logFormat: LogFormat = Defaults.logFormat,
        maxConnections: Int = Defaults.maxConnections,
        idleTimeout: Double = Defaults.idleTimeout,
        requestTimeout: Double = Defaults.requestTimeout,
        maxHeaderBytes: Int = Defaults.maxHeaderBytes,
        maxBodyBytes: Int = Defaults.maxBodyBytes,
        maxHeaderCount: Int = Defaults.maxHeaderCount,
        maxBufferedOutputBytes: Int = Defaults.maxBufferedOutputBytes,
        sources: [String: SettingSource] = [:]
    ) {
        self.registryURL = registryURL
        self.ownerAddress = ownerAddress
        self.listenAddress = listenAddress
        self.dstackEndpoint = dstackEndpoint
        self.dataDirectory = dataDirectory
        self.nodeType = nodeType
        self.dstackPollInterval = dstackPollInterval
        self.dstackToken = dstackToken
        self.advertiseIP = advertiseIP
        self.httpConnectTimeout = httpConnectTimeout
        self.httpTimeout = httpTimeout
        self.registrationTimeout = registrationTimeout
        self.registryRecheckInterval = registryRecheckInterval
        self.registryAuth = registryAuth
        self.metricsEnabled = metricsEnabled
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBufferedOutputBytes = maxBufferedOutputBytes
        self.sources = sources
    }

    /// The limits every outbound request (registry, dstack) gets.
    public var httpClientConfiguration: HTTPClientConfiguration {
        HTTPClientConfiguration(connectTimeout: httpConnectTimeout, totalTimeout: httpTimeout)
    }

    /// Start-up registration back-off: 1 s doubling to 30 s, within `registrationTimeout`.
    public var registrationBackoff: BackoffPolicy {
        BackoffPolicy(budget: registrationTimeout)
    }
}

/// Where a setting's value came from, for the start-up log.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
    case defaultValue
    /// The environment variable that supplied it (e.g. `DSTACK_BACKEND_DSTACK_URL`).
    case environment(String)
    /// The command-line flag that supplied it, e.g. `--registry-url`.
    case flag(String)

    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .environment(let name): "env \(name)"
        case .flag(let flag): "flag \(flag)"
        }
    }
}
