/// Everything the daemon is told at start-up, parsed and checked once into typed values.
///
/// Build it with `Configuration.resolve(environment:flags:)` (see `Configuration+Resolve.swift`);
/// `settings` lists each setting's variable, flag, default and help for the CLI and the README.
public struct Configuration: Sendable {
    // Each setting is a property with its default here, a row in `Configuration.settings` (whose default text
    // says the same, as a test checks), a line in `read` and one in `effectiveValues`.

    // MARK: Contract settings (names and defaults fixed by the deployed base)

    /// `LISTEN_ADDR`: where `/health` is served.
    public var listenAddress: ListenAddress = .defaultValue
    /// `DSTACK_URL`, then `DSTACK_BACKEND_DSTACK_URL`: the dstack VMM.
    var dstackEndpoint: DstackEndpoint = .http(HTTPURL(scheme: .http, host: "localhost", port: 19060, path: ""))
    /// `DATA_DIR`: holds the key file `key`.
    public var dataDirectory = "./data"
    /// `REGISTRY_URL` (required): the worker registry, no trailing `/`.
    var registryURL: HTTPURL
    /// `OWNER_ADDRESS` (required): sent to the registry in EIP-55 form.
    var ownerAddress: EthereumAddress
    /// `NODE_TYPE`: sent to the registry; `.auto` is derived from the GPUs later.
    var nodeType: NodeType = .defaultValue

    // MARK: dstack

    /// `DSTACK_POLL_INTERVAL`: time between background `ListGpus` polls.
    var dstackPollInterval: Duration = .seconds(5)
    /// `DSTACK_TOKEN`: bearer token for VMMs that require one. Never logged.
    var dstackToken: String?
    /// `ADVERTISE_IP`: the `ip_address` reported in `/health` instead of the detected one.
    var advertiseIP: String?

    // MARK: Outbound HTTP and the registry

    /// `HTTP_CONNECT_TIMEOUT`: time to establish a connection (registry and dstack).
    var httpConnectTimeout = HTTPClientConfiguration.defaultConnectTimeout
    /// `HTTP_TIMEOUT`: time for a whole outbound request, connect included.
    var httpTimeout = HTTPClientConfiguration.defaultTotalTimeout
    /// `REGISTRATION_TIMEOUT`: how long the start-up registration may keep retrying.
    var registrationTimeout = BackoffPolicy.defaultBudget
    /// `REGISTRY_RECHECK_INTERVAL`: time between background permission re-checks.
    var registryRecheckInterval: Duration = .seconds(600)
    /// `REGISTRY_AUTH`: how registry requests are authenticated.
    var registryAuth = RegistryAuth.none

    // MARK: Server and logging

    /// `METRICS`: whether `/metrics` is served.
    var metricsEnabled = true
    /// `LOG_LEVEL`.
    public var logLevel = LogLevel.info
    /// `LOG_FORMAT`.
    public var logFormat = LogFormat.text
    /// The HTTP server's bounds (`MAX_CONNECTIONS`, `IDLE_TIMEOUT`, ...): the settings write into it directly,
    /// and its defaults (in `ServerLimits`) are theirs.
    var serverLimits = ServerLimits()

    /// Where each setting's value came from, as the start-up log shows it (`env DSTACK_BACKEND_DSTACK_URL`,
    /// `flag --registry-url`), keyed by its primary variable name; absent means default.
    var sources: [String: String] = [:]

    /// The limits every outbound request (registry, dstack) gets.
    var httpClientConfiguration: HTTPClientConfiguration {
        HTTPClientConfiguration(
            connectTimeout: httpConnectTimeout, totalTimeout: httpTimeout)
    }

    /// Start-up registration back-off: 1 s doubling to 30 s, within `registrationTimeout`.
    var registrationBackoff: BackoffPolicy {
        BackoffPolicy(budget: registrationTimeout)
    }
}
