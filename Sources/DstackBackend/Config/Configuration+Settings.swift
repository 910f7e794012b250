extension Configuration {
    /// Every setting, in the order the log, `--help` and the README show them: the one place a setting's
    /// variable, flag, parser (with its bounds), help and property are named. Defaults are the properties'.
    public static let settings: [SettingDescriptor] = [
        SettingDescriptor(
            ["LISTEN_ADDR"], flag: "listen-addr", \.listenAddress, parse: ListenAddress.parse, format: \.description,
            help: "Address for the health server: host:port, [IPv6]:port or unix:/path."),
        SettingDescriptor(
            ["DSTACK_URL", "DSTACK_BACKEND_DSTACK_URL"], flag: "dstack-url", \.dstackEndpoint,
            parse: DstackEndpoint.parse, format: \.description,
            help: "dstack VMM: http(s)://host:port, unix:///path/vmm.sock or unix:/path/vmm.sock."),
        SettingDescriptor(
            ["DATA_DIR"], flag: "data-dir", \.dataDirectory, parse: SettingParsers.path, format: { $0 },
            help: "Directory holding the node's key file (key)."),
        SettingDescriptor(
            ["REGISTRY_URL", "AUTH_SERVICE_URL"], flag: "registry-url", \.registryURL, parse: { value, setting throws(ConfigurationError) in try HTTPURL.parse(value, setting: setting) },
            format: \.description, required: true,
            help: "Worker registry base URL (http or https); AUTH_SERVICE_URL is accepted as its older name.",
            afterRead: { $0.checkRegistryURLNames() }),
        SettingDescriptor(
            ["OWNER_ADDRESS"], flag: "owner-address", \.ownerAddress, parse: EthereumAddress.parseOwner,
            format: \.checksummed, required: true,
            help: "Owner's Ethereum address, 0x + 40 hex digits (EIP-55 checksum checked if mixed case)."),
        SettingDescriptor(
            ["NODE_TYPE"], flag: "node-type", \.nodeType, parse: NodeType.parse, format: \.description,
            help: "Node type sent to the registry, e.g. node-H100x1; auto derives it from the GPUs."),
        .duration(
            ["DSTACK_POLL_INTERVAL"], flag: "dstack-poll-interval", \.dstackPollInterval, minimum: .dstackPollInterval,
            help: "Time between dstack GPU polls (5, 2.5, 500ms, 5s, 2m); at least 100ms."),
        SettingDescriptor(
            ["DSTACK_TOKEN"], flag: "dstack-token", \.dstackToken, parse: SettingParsers.headerToken, format: { $0 },
            isSecret: true, help: "Bearer token for VMMs that require one; never logged."),
        SettingDescriptor(
            ["ADVERTISE_IP"], flag: "advertise-ip", \.advertiseIP, parse: SettingParsers.ipAddress, format: { $0 },
            help: "IP address reported in /health instead of the detected one (useful in containers)."),
        .duration(
            ["HTTP_CONNECT_TIMEOUT"], flag: "http-connect-timeout", \.httpConnectTimeout,
            help: "Connect timeout for registry and dstack requests."),
        .duration(
            ["HTTP_TIMEOUT"], flag: "http-timeout", \.httpTimeout,
            help: "Total timeout for one registry or dstack request."),
        .duration(
            ["REGISTRATION_TIMEOUT"], flag: "registration-timeout", \.registrationTimeout,
            help: "How long start-up registration keeps retrying a registry that is down."),
        .duration(
            ["REGISTRY_RECHECK_INTERVAL"], flag: "registry-recheck-interval", \.registryRecheckInterval,
            minimum: .registryRecheckInterval,
            help: "Time between background checks of the worker's registry permissions; at least 1s."),
        SettingDescriptor(
            ["REGISTRY_AUTH"], flag: "registry-auth", \.registryAuth, parse: RegistryAuth.parse, format: \.rawValue,
            help: "Registry request authentication: none or nip98."),
        SettingDescriptor(
            ["METRICS"], flag: "metrics", \.metricsEnabled, parse: SettingParsers.boolean, format: { String($0) },
            help: "Serve /metrics: true or false (also 1/0, yes/no)."),
        SettingDescriptor(
            ["LOG_LEVEL"], flag: "log-level", \.logLevel, parse: SettingParsers.logLevel, format: \.name,
            help: "error, warn, info or debug."),
        SettingDescriptor(
            ["LOG_FORMAT"], flag: "log-format", \.logFormat, parse: SettingParsers.logFormat, format: \.rawValue,
            help: "text or json (one object per line)."),
        .count(
            ["MAX_CONNECTIONS"], flag: "max-connections", \.serverLimits.maxConnections, minimum: .maxConnections,
            maximum: 1 << 20,
            help: "Most client connections open at once; at the cap the longest-idle one makes room, else a new one is"
                + " refused; at least 4."),
        .duration(
            ["IDLE_TIMEOUT"], flag: "idle-timeout", \.serverLimits.idleTimeout, minimum: .idleTimeout,
            help: "How long an idle keep-alive connection is kept open; at least 1s."),
        .duration(
            ["REQUEST_TIMEOUT"], flag: "request-timeout", \.serverLimits.requestTimeout, minimum: .requestTimeout,
            help: "How long a client has to send a complete request; at least 1s."),
        .duration(
            ["SHUTDOWN_GRACE"], flag: "shutdown-grace", \.serverLimits.shutdownGrace, maximum: .shutdownGrace,
            help: "How long responses in flight get to reach slow clients at shutdown; at most 8s."),
        .count(
            ["MAX_HEADER_BYTES"], flag: "max-header-bytes", \.serverLimits.maxHeaderBytes, minimum: .maxHeaderBytes,
            maximum: 1 << 20, help: "Largest request head accepted, in bytes; at least 1024."),
        .count(
            ["MAX_BODY_BYTES"], flag: "max-body-bytes", \.serverLimits.maxBodyBytes, maximum: 64 << 20,
            help: "Largest request body accepted, in bytes."),
        .count(
            ["MAX_HEADER_COUNT"], flag: "max-header-count", \.serverLimits.maxHeaderCount, minimum: .maxHeaderCount,
            maximum: 10_000, help: "Most header lines in one request; at least 8."),
        .count(
            ["MAX_BUFFERED_OUTPUT_BYTES"], flag: "max-buffered-output-bytes", \.serverLimits.maxBufferedOutputBytes,
            maximum: 64 << 20,
            help: "Most response bytes held for a client that does not read them."),
    ]

    /// A configuration nobody set: the defaults the table shows (the required settings hold placeholders that
    /// are never shown, as their rows say `(required)`).
    static let unsetDefaults = Configuration(
        registryURL: HTTPURL(scheme: .http, host: "localhost", port: 80, path: ""), ownerAddress: .demoOwner)

    /// The descriptor whose primary name is `name`, e.g. `REGISTRY_URL`.
    public static func setting(named name: String) -> SettingDescriptor? {
        settings.first { $0.name == name }
    }

    /// The descriptor whose flag is `flag` (without dashes), e.g. `registry-url`.
    public static func setting(flag: String) -> SettingDescriptor? {
        settings.first { $0.flag == flag }
    }

    /// The value in effect for every setting, in table order, as the start-up log shows it.
    ///
    /// Secrets appear only as `(set, hidden)`; unset optional settings as `(unset)`.
    public var effectiveValues: [(setting: SettingDescriptor, value: String)] {
        Self.settings.map { setting in
            let value = setting.display(self)
            return (setting, setting.isSecret && value != SettingDescriptor.unsetText ? "(set, hidden)" : value)
        }
    }

    /// Logs every setting in effect, one `Setting` line each with `name`, `value` and `source`.
    ///
    /// Never logs the key, and shows `DSTACK_TOKEN` only as set or unset.
    public func logSettings(to logger: Logger) {
        for (setting, value) in effectiveValues {
            let source = sources[setting.name] ?? .defaultValue
            logger.info("Setting", ("name", setting.name), ("value", value), ("source", source.description))
        }
    }
}
