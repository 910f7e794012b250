extension Configuration {
    /// Every setting, in the order the log, `--help` and the README show them.
    static let settings: [SettingDescriptor] = [
        SettingDescriptor(
            ["LISTEN_ADDR"], flag: "listen-addr", default: "0.0.0.0:8080",
            help: "Address for the health server: host:port, [IPv6]:port or unix:/path."),
        SettingDescriptor(
            ["DSTACK_URL", "DSTACK_BACKEND_DSTACK_URL"], flag: "dstack-url", default: "http://localhost:19060",
            help: "dstack VMM: http(s)://host:port, unix:///path/vmm.sock or unix:/path/vmm.sock."),
        SettingDescriptor(
            ["DATA_DIR"], flag: "data-dir", default: "./data", help: "Directory holding the node's key file (key)."),
        SettingDescriptor(
            ["REGISTRY_URL", "AUTH_SERVICE_URL"], flag: "registry-url", default: "(required)", namesMustAgree: true,
            help: "Worker registry base URL (http or https); AUTH_SERVICE_URL is accepted as its older name."),
        SettingDescriptor(
            ["OWNER_ADDRESS"], flag: "owner-address", default: "(required)",
            help: "Owner's Ethereum address, 0x + 40 hex digits (EIP-55 checksum checked if mixed case)."),
        SettingDescriptor(
            ["NODE_TYPE"], flag: "node-type", default: "node-H100x1",
            help: "Node type sent to the registry, e.g. node-H100x1; auto derives it from the GPUs."),
        SettingDescriptor(
            ["DSTACK_POLL_INTERVAL"], flag: "dstack-poll-interval", default: "5s",
            help: "Time between dstack GPU polls (5, 2.5, 500ms, 5s, 2m); at least 100ms."),
        SettingDescriptor(
            ["DSTACK_TOKEN"], flag: "dstack-token", default: "(unset)", isSecret: true,
            help: "Bearer token for VMMs that require one; never logged."),
        SettingDescriptor(
            ["ADVERTISE_IP"], flag: "advertise-ip", default: "(unset)",
            help: "IP address reported in /health instead of the detected one (useful in containers)."),
        SettingDescriptor(
            ["HTTP_CONNECT_TIMEOUT"], flag: "http-connect-timeout", default: "5s",
            help: "Connect timeout for registry and dstack requests."),
        SettingDescriptor(
            ["HTTP_TIMEOUT"], flag: "http-timeout", default: "10s", help: "Total timeout for one registry or dstack request."),
        SettingDescriptor(
            ["REGISTRATION_TIMEOUT"], flag: "registration-timeout", default: "120s",
            help: "How long start-up registration keeps retrying a registry that is down."),
        SettingDescriptor(
            ["REGISTRY_RECHECK_INTERVAL"], flag: "registry-recheck-interval", default: "600s",
            help: "Time between background checks of the worker's registry permissions; at least 1s."),
        SettingDescriptor(
            ["REGISTRY_AUTH"], flag: "registry-auth", default: "none", help: "Registry request authentication: none or nip98."),
        SettingDescriptor(
            ["METRICS"], flag: "metrics", default: "true", help: "Serve /metrics: true or false (also 1/0, yes/no)."),
        SettingDescriptor(["LOG_LEVEL"], flag: "log-level", default: "info", help: "error, warn, info or debug."),
        SettingDescriptor(["LOG_FORMAT"], flag: "log-format", default: "text", help: "text or json (one object per line)."),
        SettingDescriptor(
            ["MAX_CONNECTIONS"], flag: "max-connections", default: "4096",
            help: "Most client connections open at once; at the cap the longest-idle one makes room, else a new one is"
                + " refused; at least 4."),
        SettingDescriptor(
            ["IDLE_TIMEOUT"], flag: "idle-timeout", default: "30s",
            help: "How long an idle keep-alive connection is kept open; at least 1s."),
        SettingDescriptor(
            ["REQUEST_TIMEOUT"], flag: "request-timeout", default: "10s",
            help: "How long a client has to send a complete request; at least 1s."),
        SettingDescriptor(
            ["SHUTDOWN_GRACE"], flag: "shutdown-grace", default: "0.5s",
            help: "How long responses in flight get to reach slow clients at shutdown; at most 8s."),
        SettingDescriptor(
            ["MAX_HEADER_BYTES"], flag: "max-header-bytes", default: "8192",
            help: "Largest request head accepted, in bytes; at least 1024."),
        SettingDescriptor(
            ["MAX_BODY_BYTES"], flag: "max-body-bytes", default: "65536", help: "Largest request body accepted, in bytes."),
        SettingDescriptor(
            ["MAX_HEADER_COUNT"], flag: "max-header-count", default: "100",
            help: "Most header lines in one request; at least 8."),
        SettingDescriptor(
            ["MAX_BUFFERED_OUTPUT_BYTES"], flag: "max-buffered-output-bytes", default: "65536",
            help: "Most response bytes held for a client that does not read them."),
    ]

    /// The descriptor whose primary name is `name`, e.g. `REGISTRY_URL`.
    public static func setting(named name: String) -> SettingDescriptor? {
        settings.first { $0.name == name }
    }

    /// The descriptor whose flag is `flag` (without dashes), e.g. `registry-url`.
    static func setting(flag: String) -> SettingDescriptor? {
        settings.first { $0.flag == flag }
    }

    /// The value in effect for every setting, in table order, as the start-up log shows it.
    ///
    /// Secrets appear only as `(set, hidden)`; unset optional settings as `(unset)`.
    var effectiveValues: [(setting: SettingDescriptor, value: String)] {
        let format = SettingParsers.format
        let shown: [String: String?] = [
            "LISTEN_ADDR": listenAddress.description, "DSTACK_URL": dstackEndpoint.description,
            "DATA_DIR": dataDirectory, "REGISTRY_URL": registryURL.description, "OWNER_ADDRESS": ownerAddress.checksummed,
            "NODE_TYPE": nodeType.description, "DSTACK_POLL_INTERVAL": format(dstackPollInterval),
            "DSTACK_TOKEN": dstackToken, "ADVERTISE_IP": advertiseIP, "HTTP_CONNECT_TIMEOUT": format(httpConnectTimeout),
            "HTTP_TIMEOUT": format(httpTimeout), "REGISTRATION_TIMEOUT": format(registrationTimeout),
            "REGISTRY_RECHECK_INTERVAL": format(registryRecheckInterval), "REGISTRY_AUTH": registryAuth.rawValue,
            "METRICS": String(metricsEnabled), "LOG_LEVEL": logLevel.name, "LOG_FORMAT": logFormat.rawValue,
            "MAX_CONNECTIONS": String(serverLimits.maxConnections), "IDLE_TIMEOUT": format(serverLimits.idleTimeout),
            "REQUEST_TIMEOUT": format(serverLimits.requestTimeout), "SHUTDOWN_GRACE": format(serverLimits.shutdownGrace),
            "MAX_HEADER_BYTES": String(serverLimits.maxHeaderBytes), "MAX_BODY_BYTES": String(serverLimits.maxBodyBytes),
            "MAX_HEADER_COUNT": String(serverLimits.maxHeaderCount),
            "MAX_BUFFERED_OUTPUT_BYTES": String(serverLimits.maxBufferedOutputBytes),
        ]
        return Self.settings.map { setting in
            guard let value = shown[setting.name] ?? nil else { return (setting, "(unset)") }
            return (setting, setting.isSecret ? "(set, hidden)" : value)
        }
    }

    /// Logs every setting in effect, one `Setting` line each with `name`, `value` and `source`.
    ///
    /// Never logs the key, and shows `DSTACK_TOKEN` only as set or unset.
    func logSettings(to logger: Logger) {
        for (setting, value) in effectiveValues {
            logger.info("Setting", ("name", setting.name), ("value", value), ("source", sources[setting.name] ?? "default"))
        }
    }
}

/// One row of the settings table: the variable(s), the flag, the default and a line of help.
///
/// `Configuration.settings` is the single list: `--help`, the flags, the start-up log and the README check loop
/// over it, and `Configuration.read` reads each row's value by its name.
public struct SettingDescriptor: Sendable, Equatable {
    /// Variable names in precedence order; the first is the setting's name and its key in `resolve`'s `flags`.
    let environmentNames: [String]
    /// The flag without dashes, e.g. `registry-url` for `--registry-url`.
    public let flag: String
    /// The default as help and the log show it: a value (`5s`), `(unset)` or `(required)`.
    public let defaultText: String
    /// Never printed: logs show only whether it is set.
    let isSecret: Bool
    /// The later variables are older names of the first: set to a different value, they are an error rather
    /// than ignored (`AUTH_SERVICE_URL`; compose's `DSTACK_BACKEND_DSTACK_URL` just loses to `DSTACK_URL`).
    let namesMustAgree: Bool
    /// One line for `--help` and the README.
    public let help: String

    init(
        _ environmentNames: [String], flag: String, default defaultText: String, isSecret: Bool = false,
        namesMustAgree: Bool = false, help: String
    ) {
        self.environmentNames = environmentNames
        self.flag = flag
        self.defaultText = defaultText
        self.isSecret = isSecret
        self.namesMustAgree = namesMustAgree
        self.help = help
    }

    /// The primary variable name, e.g. `DSTACK_URL`.
    public var name: String { environmentNames[0] }

    /// `--registry-url`.
    public var flagSpelling: String { "--" + flag }

    var isRequired: Bool { defaultText == "(required)" }
}
