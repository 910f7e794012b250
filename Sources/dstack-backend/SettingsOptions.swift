import ArgumentParser
import DstackBackend

/// One flag per environment variable; a flag given on the command line wins over the environment.
struct SettingsOptions: ParsableArguments {
    @Option(name: .customLong("listen-addr"), help: "LISTEN_ADDR: host:port or unix:/path to serve on.")
    var listenAddr: String?

    @Option(name: .customLong("dstack-url"), help: "DSTACK_URL (then DSTACK_BACKEND_DSTACK_URL): the VMM's http(s):// or unix: URL.")
    var dstackURL: String?

    @Option(name: .customLong("data-dir"), help: "DATA_DIR: directory of the node key file `key`.")
    var dataDir: String?

    @Option(name: .customLong("registry-url"), help: "REGISTRY_URL: the registry to register with (required).")
    var registryURL: String?

    @Option(name: .customLong("owner-address"), help: "OWNER_ADDRESS: payout address, 0x + 40 hex (required).")
    var ownerAddress: String?

    @Option(name: .customLong("node-type"), help: "NODE_TYPE: e.g. node-H200x8, CPU, or auto.")
    var nodeType: String?

    @Option(name: .customLong("dstack-poll-interval"), help: "DSTACK_POLL_INTERVAL: time between VMM polls (5s).")
    var dstackPollInterval: String?

    @Option(name: .customLong("dstack-token"), help: "DSTACK_TOKEN: bearer token for the VMM.")
    var dstackToken: String?

    @Option(name: .customLong("advertise-ip"), help: "ADVERTISE_IP: the IP to report in /health.")
    var advertiseIP: String?

    @Option(name: .customLong("http-connect-timeout"), help: "HTTP_CONNECT_TIMEOUT: connect timeout of outbound calls (5s).")
    var httpConnectTimeout: String?

    @Option(name: .customLong("http-timeout"), help: "HTTP_TIMEOUT: total timeout of outbound calls (10s).")
    var httpTimeout: String?

    @Option(name: .customLong("registration-timeout"), help: "REGISTRATION_TIMEOUT: how long to retry registration (2m).")
    var registrationTimeout: String?

    @Option(name: .customLong("registry-recheck-interval"), help: "REGISTRY_RECHECK_INTERVAL: time between /permissions re-checks (10m).")
    var registryRecheckInterval: String?

    @Option(name: .customLong("registry-auth"), help: "REGISTRY_AUTH: none or nip98.")
    var registryAuth: String?

    @Option(name: .customLong("metrics"), help: "METRICS: serve /metrics (true/false).")
    var metrics: String?

    @Option(name: .customLong("log-level"), help: "LOG_LEVEL: error, warn, info or debug.")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "LOG_FORMAT: text or json.")
    var logFormat: String?

    @Option(name: .customLong("max-connections"), help: "MAX_CONNECTIONS: open connections at most (4096).")
    var maxConnections: String?

    @Option(name: .customLong("idle-timeout"), help: "IDLE_TIMEOUT: close idle keep-alive connections after (30s).")
    var idleTimeout: String?

    @Option(name: .customLong("request-timeout"), help: "REQUEST_TIMEOUT: a request must arrive whole within (10s).")
    var requestTimeout: String?

    @Option(name: .customLong("max-header-bytes"), help: "MAX_HEADER_BYTES: request line + headers at most (8192).")
    var maxHeaderBytes: String?

    @Option(name: .customLong("max-body-bytes"), help: "MAX_BODY_BYTES: request body at most (65536).")
    var maxBodyBytes: String?

    @Option(name: .customLong("max-header-count"), help: "MAX_HEADER_COUNT: header lines per request at most (100).")
    var maxHeaderCount: String?

    @Option(name: .customLong("max-buffered-output-bytes"), help: "MAX_BUFFERED_OUTPUT_BYTES: response bytes held for a client that does not read (65536).")
    var maxBufferedOutputBytes: String?

    /// The flags given, keyed by the environment variable they override.
    var byEnvironmentName: [String: String] {
        let pairs: [(String, String?)] = [
            ("LISTEN_ADDR", listenAddr), ("DSTACK_URL", dstackURL), ("DATA_DIR", dataDir),
            ("REGISTRY_URL", registryURL), ("OWNER_ADDRESS", ownerAddress), ("NODE_TYPE", nodeType),
            ("DSTACK_POLL_INTERVAL", dstackPollInterval), ("DSTACK_TOKEN", dstackToken), ("ADVERTISE_IP", advertiseIP),
            ("HTTP_CONNECT_TIMEOUT", httpConnectTimeout), ("HTTP_TIMEOUT", httpTimeout),
            ("REGISTRATION_TIMEOUT", registrationTimeout), ("REGISTRY_RECHECK_INTERVAL", registryRecheckInterval),
            ("REGISTRY_AUTH", registryAuth), ("METRICS", metrics), ("LOG_LEVEL", logLevel), ("LOG_FORMAT", logFormat),
            ("MAX_CONNECTIONS", maxConnections), ("IDLE_TIMEOUT", idleTimeout), ("REQUEST_TIMEOUT", requestTimeout),
            ("MAX_HEADER_BYTES", maxHeaderBytes), ("MAX_BODY_BYTES", maxBodyBytes),
            ("MAX_HEADER_COUNT", maxHeaderCount), ("MAX_BUFFERED_OUTPUT_BYTES", maxBufferedOutputBytes),
        ]
        var result: [String: String] = [:]
        for case let (name, value?) in pairs { result[name] = value }
        return result
    }
}
