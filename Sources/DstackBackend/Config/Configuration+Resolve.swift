extension Configuration {
    /// Reads every setting from command-line flags and the environment, checks all of them, and
    /// throws every problem at once.
    ///
    /// - `flags` is keyed by the setting's primary variable name (the CLI maps `--registry-url` to
    ///   `REGISTRY_URL`). A flag wins over the environment; a flag given as an empty string means "unset".
    /// - For `DSTACK_URL`, the variable `DSTACK_URL` wins over `DSTACK_BACKEND_DSTACK_URL`.
    /// - Empty (or all-blank) environment values count as unset, as compose writes `VAR=` for blanks.
    ///
    /// Nothing here touches the network or the disk, so the CLI can call it before creating the key.
    public static func resolve(environment: [String: String], flags: [String: String]) throws(ConfigurationErrors)
        -> Configuration
    {
        var reader = SettingReader(environment: environment, flags: flags)
        for key in flags.keys.sorted() where setting(named: key) == nil {
            reader.errors.append(
                ConfigurationError(setting: key, message: "Error: \(key) is not a known setting (internal flag mapping)"))
        }

        let listenAddress = reader.read("LISTEN_ADDR", ListenAddress.parse(_:setting:))
        let dstackEndpoint = reader.read("DSTACK_URL", DstackEndpoint.parse(_:setting:))
        let dataDirectory = reader.read("DATA_DIR", SettingParsers.path(_:setting:))
        let registryURL = reader.read("REGISTRY_URL", HTTPURL.parse(_:setting:))
        reader.checkRegistryURLNames()
        let ownerAddress = reader.read("OWNER_ADDRESS", EthereumAddress.parseOwner(_:setting:))
        let nodeType = reader.read("NODE_TYPE", NodeType.parse(_:setting:))
        let dstackPollInterval = reader.read("DSTACK_POLL_INTERVAL") { text, setting throws(ConfigurationError) in
            try SettingParsers.duration(text, setting: setting, minimum: .dstackPollInterval)
        }
        let dstackToken = reader.read("DSTACK_TOKEN", SettingParsers.headerToken(_:setting:))
        let advertiseIP = reader.read("ADVERTISE_IP", SettingParsers.ipAddress(_:setting:))
        let httpConnectTimeout = reader.read("HTTP_CONNECT_TIMEOUT", SettingParsers.duration(_:setting:))
        let httpTimeout = reader.read("HTTP_TIMEOUT", SettingParsers.duration(_:setting:))
        let registrationTimeout = reader.read("REGISTRATION_TIMEOUT", SettingParsers.duration(_:setting:))
        let registryRecheckInterval = reader.read("REGISTRY_RECHECK_INTERVAL") { text, setting throws(ConfigurationError) in
            try SettingParsers.duration(text, setting: setting, minimum: .registryRecheckInterval)
        }
        let registryAuth = reader.read("REGISTRY_AUTH", RegistryAuth.parse(_:setting:))
        let metricsEnabled = reader.read("METRICS", SettingParsers.boolean(_:setting:))
        let logLevel = reader.read("LOG_LEVEL", SettingParsers.logLevel(_:setting:))
        let logFormat = reader.read("LOG_FORMAT", SettingParsers.logFormat(_:setting:))
        let maxConnections = reader.read("MAX_CONNECTIONS") { text, setting throws(ConfigurationError) in
            try SettingParsers.positiveInteger(text, setting: setting, maximum: 1 << 20)
        }
        let idleTimeout = reader.read("IDLE_TIMEOUT", SettingParsers.duration(_:setting:))
        let requestTimeout = reader.read("REQUEST_TIMEOUT", SettingParsers.duration(_:setting:))
        let maxHeaderBytes = reader.read("MAX_HEADER_BYTES") { text, setting throws(ConfigurationError) in
            try SettingParsers.positiveInteger(text, setting: setting, maximum: 1 << 20)
        }
        let maxBodyBytes = reader.read("MAX_BODY_BYTES") { text, setting throws(ConfigurationError) in
            try SettingParsers.positiveInteger(text, setting: setting, maximum: 64 << 20)
        }
        let maxHeaderCount = reader.read("MAX_HEADER_COUNT") { text, setting throws(ConfigurationError) in
            try SettingParsers.positiveInteger(text, setting: setting, maximum: 10_000)
        }
        let maxBufferedOutputBytes = reader.read("MAX_BUFFERED_OUTPUT_BYTES") { text, setting throws(ConfigurationError) in
            try SettingParsers.positiveInteger(text, setting: setting, maximum: 64 << 20)
        }

        if let ownerAddress, let registryURL,
            let problem = EthereumAddress.demoOwnerProblem(owner: ownerAddress, registry: registryURL)
        {
            reader.errors.append(problem)
        }
        if registryAuth == .nip98, registryURL?.userinfo != nil {
            reader.errors.append(
                .invalid(
                    "REGISTRY_URL",
                    "carries a user name and password, which cannot be sent with REGISTRY_AUTH=nip98 (both use the"
                        + " Authorization header): remove one of them"))
        }
        guard reader.errors.isEmpty, let listenAddress, let dstackEndpoint, let dataDirectory, let registryURL,
            let ownerAddress, let nodeType, let dstackPollInterval, let httpConnectTimeout, let httpTimeout,
            let registrationTimeout, let registryRecheckInterval, let registryAuth, let metricsEnabled, let logLevel,
            let logFormat, let maxConnections, let idleTimeout, let requestTimeout, let maxHeaderBytes, let maxBodyBytes,
            let maxHeaderCount, let maxBufferedOutputBytes
        else {
            throw ConfigurationErrors(reader.errors)
        }
        return Configuration(
            registryURL: registryURL, ownerAddress: ownerAddress, listenAddress: listenAddress,
            dstackEndpoint: dstackEndpoint, dataDirectory: dataDirectory, nodeType: nodeType,
            dstackPollInterval: dstackPollInterval, dstackToken: dstackToken, advertiseIP: advertiseIP,
            httpConnectTimeout: httpConnectTimeout, httpTimeout: httpTimeout, registrationTimeout: registrationTimeout,
            registryRecheckInterval: registryRecheckInterval, registryAuth: registryAuth,
            metricsEnabled: metricsEnabled, logLevel: logLevel, logFormat: logFormat, maxConnections: maxConnections,
            idleTimeout: idleTimeout, requestTimeout: requestTimeout, maxHeaderBytes: maxHeaderBytes,
            maxBodyBytes: maxBodyBytes, maxHeaderCount: maxHeaderCount, maxBufferedOutputBytes: maxBufferedOutputBytes,
            sources: reader.sources)
    }
}

/// Looks each setting up (flag, then variables in order, then default), parses it, and collects problems.
struct SettingReader {
    let environment: [String: String]
    let flags: [String: String]
    var errors: [ConfigurationError] = []
    var sources: [String: SettingSource] = [:]

    /// The text given for `setting`, the name to blame in errors, and where it came from; nil when unset.
    func given(_ setting: SettingDescriptor) -> (text: String, label: String, source: SettingSource)? {
        if let flag = flags[setting.name] {
            if flag.trimmingASCIIWhitespace().isEmpty { return nil }
            return (flag, setting.flagSpelling, .flag(setting.flagSpelling))
        }
        for name in setting.environmentNames {
            if let value = environment[name], !value.trimmingASCIIWhitespace().isEmpty {
                return (value, name, .environment(name))
            }
        }
        return nil
    }

    /// The parsed value of the setting named `name`, or nil when it is unset or wrong (then in `errors`).
    mutating func read<T>(_ name: String, _ parse: (String, String) throws(ConfigurationError) -> T) -> T? {
        guard let setting = Configuration.setting(named: name) else {
            preconditionFailure("\(name) is missing from Configuration.settings")
        }
        if let given = given(setting) {
            do {
                let value = try parse(given.text, given.label)
                sources[name] = given.source
                return value
            } catch {
                errors.append(error)
                return nil
            }
        }
        switch setting.defaultValue {
        case .value(let text):
            do {
                return try parse(text, name)
            } catch {
                errors.append(
                    ConfigurationError(
                        setting: name, message: "Error: \(name)'s built-in default \"\(text)\" is invalid: \(error)"))
                return nil
            }
        case .unset:
            return nil
        case .required:
            errors.append(
                ConfigurationError(
                    setting: name, message: "Error: \(name) environment variable is required for worker registration"))
            return nil
        }
    }
}
