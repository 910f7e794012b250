extension Configuration {
    /// Every setting, in the order the log, `--help` and the README show them.
    public static let settings: [SettingDescriptor] = [
        SettingDescriptor(
            ["LISTEN_ADDR"], flag: "listen-addr", default: .value("0.0.0.0:8080"),
            help: "Address for the health server: host:port, [IPv6]:port or unix:/path."),
        SettingDescriptor(
            ["DSTACK_URL", "DSTACK_BACKEND_DSTACK_URL"], flag: "dstack-url", default: .value(DstackEndpoint.defaultURL),
            help: "dstack VMM: http(s)://host:port, unix:///path/vmm.sock or unix:/path/vmm.sock."),
        SettingDescriptor(
            ["DATA_DIR"], flag: "data-dir", default: .value(Defaults.dataDirectory),
            help: "Directory holding the node's key file (key)."),
        SettingDescriptor(
            ["REGISTRY_URL", "AUTH_SERVICE_URL"], flag: "registry-url", default: .required,
            help: "Worker registry base URL (http or https); AUTH_SERVICE_URL is accepted as its older name."),
        SettingDescriptor(
            ["OWNER_ADDRESS"], flag: "owner-address", default: .required,
            help: "Owner's Ethereum address, 0x + 40 hex digits (EIP-55 checksum checked if mixed case)."),
        SettingDescriptor(
            ["NODE_TYPE"], flag: "node-type", default: .value(NodeType.defaultValue.description),
            help: "Node type sent to the registry, e.g. node-H100x1; auto derives it from the GPUs."),
        SettingDescriptor(
            ["DSTACK_POLL_INTERVAL"], flag: "dstack-poll-interval",
            default: .value(SettingParsers.formatSeconds(Defaults.dstackPollInterval)),
            help: "Time between dstack GPU polls (5, 2.5, 500ms, 5s, 2m); at least 100ms."),
        SettingDescriptor(
            ["DSTACK_TOKEN"], flag: "dstack-token", default: .unset,
            help: "Bearer token for VMMs that require one; never logged.", isSecret: true),
        SettingDescriptor(
            ["ADVERTISE_IP"], flag: "advertise-ip", default: .unset,
            help: "IP address reported in /health instead of the detected one (useful in containers)."),
        SettingDescriptor(
            ["HTTP_CONNECT_TIMEOUT"], flag: "http-connect-timeout",
            default: .value(SettingParsers.formatSeconds(Defaults.httpConnectTimeout)),
            help: "Connect timeout for registry and dstack requests."),
        SettingDescriptor(
            ["HTTP_TIMEOUT"], flag: "http-timeout",
            default: .value(SettingParsers.formatSeconds(Defaults.httpTimeout)),
            help: "Total timeout for one registry or dstack request."),
        SettingDescriptor(
            ["REGISTRATION_TIMEOUT"], flag: "registration-timeout",
            default: .value(SettingParsers.formatSeconds(Defaults.registrationTimeout)),
            help: "How long start-up registration keeps retrying a registry that is down."),
        SettingDescriptor(
            ["REGISTRY_RECHECK_INTERVAL"], flag: "registry-recheck-interval",
            default: .value(SettingParsers.formatSeconds(Defaults.registryRecheckInterval)),
            help: "Time between background checks of the worker's registry permissions; at least 1s."),
        SettingDescriptor(
            ["REGISTRY_AUTH"], flag: "registry-auth", default: .value(Defaults.registryAuth.rawValue),
            help: "Registry request authentication: none or nip98."),
        SettingDescriptor(
            ["METRICS"], flag: "metrics", default: .value(String(Defaults.metricsEnabled)),
            help: "Serve /metrics: true or false (also 1/0, yes/no)."),
        SettingDescriptor(
            ["LOG_LEVEL"], flag: "log-level", default: .value(Defaults.logLevel.name),
            help: "error, warn, info or debug."),
        SettingDescriptor(
            ["LOG_FORMAT"], flag: "log-format", default: .value(Defaults.logFormat.rawValue),
            help: "text or json (one object per line)."),
        SettingDescriptor(
            ["MAX_CONNECTIONS"], flag: "max-connections", default: .value(String(Defaults.maxConnections)),
            help: "Most client connections open at once; more are refused."),
        SettingDescriptor(
            ["IDLE_TIMEOUT"], flag: "idle-timeout",
            default: .value(SettingParsers.formatSeconds(Defaults.idleTimeout)),
            help: "How long an idle keep-alive connection is kept open."),
        SettingDescriptor(
            ["REQUEST_TIMEOUT"], flag: "request-timeout",
            default: .value(SettingParsers.formatSeconds(Defaults.requestTimeout)),
            help: "How long a client has to send a complete request."),
        SettingDescriptor(
            ["MAX_HEADER_BYTES"], flag: "max-header-bytes", default: .value(String(Defaults.maxHeaderBytes)),
            help: "Largest request head accepted, in bytes."),
        SettingDescriptor(
            ["MAX_BODY_BYTES"], flag: "max-body-bytes", default: .value(String(Defaults.maxBodyBytes)),
            help: "Largest request body accepted, in bytes."),
        SettingDescriptor(
            ["MAX_HEADER_COUNT"], flag: "max-header-count", default: .value(String(Defaults.maxHeaderCount)),
            help: "Most header lines in one request."),
        SettingDescriptor(
            ["MAX_BUFFERED_OUTPUT_BYTES"], flag: "max-buffered-output-bytes",
            default: .value(String(Defaults.maxBufferedOutputBytes)),
            help: "Most response bytes held for a client that does not read them."),
    ]

    /// The descriptor whose primary name is `name`, e.g. `REGISTRY_URL`.
    public static func setting(named name: String) -> SettingDescriptor? {
        settings.first { $0.name == name }
    }

    /// The value in effect for every setting, in table order, as the start-up log shows it.
    ///
    /// Secrets appear only as `(set, hidden)`; unset optional settings as `(unset)`.
    public var effectiveValues: [(setting: SettingDescriptor, value: String)] {
        let seconds = SettingParsers.formatSeconds
        let values: [String: String] = [
            "LISTEN_ADDR": listenAddress.description,
            "DSTACK_URL": dstackEndpoint.description,
            "DATA_DIR": dataDirectory,
            "REGISTRY_URL": registryURL.description,
            "OWNER_ADDRESS": ownerAddress.checksummed,
            "NODE_TYPE": nodeType.description,
            "DSTACK_POLL_INTERVAL": seconds(dstackPollInterval),
            "DSTACK_TOKEN": dstackToken == nil ? "(unset)" : "(set, hidden)",
            "ADVERTISE_IP": advertiseIP ?? "(unset)",
            "HTTP_CONNECT_TIMEOUT": seconds(httpConnectTimeout),
            "HTTP_TIMEOUT": seconds(httpTimeout),
            "REGISTRATION_TIMEOUT": seconds(registrationTimeout),
            "REGISTRY_RECHECK_INTERVAL": seconds(registryRecheckInterval),
            "REGISTRY_AUTH": registryAuth.rawValue,
            "METRICS": String(metricsEnabled),
            "LOG_LEVEL": logLevel.name,
            "LOG_FORMAT": logFormat.rawValue,
            "MAX_CONNECTIONS": String(maxConnections),
            "IDLE_TIMEOUT": seconds(idleTimeout),
            "REQUEST_TIMEOUT": seconds(requestTimeout),
            "MAX_HEADER_BYTES": String(maxHeaderBytes),
            "MAX_BODY_BYTES": String(maxBodyBytes),
            "MAX_HEADER_COUNT": String(maxHeaderCount),
            "MAX_BUFFERED_OUTPUT_BYTES": String(maxBufferedOutputBytes),
        ]
        return Self.settings.map { setting in
            let value = values[setting.name] ?? "(unknown)"
            return (setting, setting.isSecret && value != "(unset)" ? "(set, hidden)" : value)
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
