/// Everything the daemon is told at start-up, parsed and checked once into typed values.
///
/// Build it with `Configuration.resolve(environment:flags:)` (see `Configuration+Resolve.swift`);
/// `settings` lists each setting's variable, flag, default and help for the CLI and the README. The value types
/// only a setting has (`NodeType`, `RegistryAuth`) follow it here.
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
        HTTPClientConfiguration(connectTimeout: httpConnectTimeout, totalTimeout: httpTimeout)
    }

    /// Start-up registration back-off: 1 s doubling to 30 s, within `registrationTimeout`.
    var registrationBackoff: BackoffPolicy { BackoffPolicy(budget: registrationTimeout) }
}

/// What kind of machine this is, as the registry records it: `NODE_TYPE`, e.g. `node-H100x1`.
///
/// `auto` asks the daemon to derive it from the GPUs dstack reports (`node-{H100,H200,B200}x{count}`,
/// `CPU` for none), which happens after start-up; everything else is sent as written.
public enum NodeType: Sendable, Equatable, CustomStringConvertible {
    case explicit(String)
    case auto

    static let defaultValue = NodeType.explicit("node-H100x1")

    /// The longest name accepted; registries store it as a short label.
    static let maximumLength = 64

    /// Parses a token of `[A-Za-z0-9._-]`, or `auto` (any case).
    static func parse(_ text: String) throws(InvalidValue) -> NodeType {
        let value = text.trimmingASCIIWhitespace()
        guard !value.isEmpty else {
            throw InvalidValue("is empty: use a name such as node-H100x1, or auto")
        }
        if value.lowercased() == "auto" { return .auto }
        let isToken = { (scalar: Unicode.Scalar) in
            scalar.isASCII && (UInt8(scalar.value).isASCIIAlphanumeric || "._-".unicodeScalars.contains(scalar))
        }
        if let bad = value.unicodeScalars.first(where: { !isToken($0) }) {
            throw InvalidValue("\"\(text)\" contains \"\(Character(bad))\": use only letters, digits, '.', '_' and '-', e.g. node-H100x1")
        }
        guard value.utf8.count <= maximumLength else {
            throw InvalidValue("\"\(text)\" is longer than \(maximumLength) characters")
        }
        return .explicit(value)
    }

    public var description: String {
        switch self {
        case .explicit(let name): name
        case .auto: "auto"
        }
    }
}

/// How requests to the registry are authenticated: `REGISTRY_AUTH`.
enum RegistryAuth: String, Sendable, Equatable, CaseIterable {
    /// No `Authorization` header, like the reference and today's registries.
    case none
    /// NIP-98 HTTP Auth: each request carries a Nostr event signed with the node's key.
    case nip98

    /// Parses `none` or `nip98`, any case.
    static func parse(_ text: String) throws(InvalidValue) -> RegistryAuth {
        guard let value = RegistryAuth(rawValue: text.trimmingASCIIWhitespace().lowercased()) else {
            throw InvalidValue("\"\(text)\" is not supported: use none or nip98")
        }
        return value
    }
}
