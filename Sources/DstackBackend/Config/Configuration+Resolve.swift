extension Configuration {
    /// Reads every setting from command-line flags and the environment, checks all of them, and
    /// throws every problem at once.
    ///
    /// - `flags` is keyed by the setting's primary variable name (the CLI maps `--registry-url` to
    ///   `REGISTRY_URL`). A flag wins over the environment; a flag given as an empty string means "unset".
    /// - A setting's variables are read in the table's order: `DSTACK_URL` wins over `DSTACK_BACKEND_DSTACK_URL`.
    /// - Empty (or all-blank) environment values count as unset, as compose writes `VAR=` for blanks.
    /// - `only` reads just the settings it names (the rest keep their defaults), for subcommands that need one
    ///   setting, e.g. `pubkey`'s `DATA_DIR`.
    ///
    /// Nothing here touches the network or the disk, so the CLI can call it before creating the key.
    public static func resolve(environment: [String: String], flags: [String: String], only: Set<String>? = nil)
        throws(ConfigurationError) -> Configuration
    {
        var reader = SettingReader(environment: environment, flags: flags, only: only)
        for key in flags.keys.sorted() where setting(named: key) == nil {
            reader.report(key, "is not a known setting (internal flag mapping)")
        }
        // The required settings' placeholders are never used: resolve throws when either is not read.
        var configuration = Configuration(
            registryURL: HTTPURL(scheme: .http, host: "localhost", port: 80, path: ""), ownerAddress: .demoOwner)
        configuration.read(&reader)
        guard reader.error.problems.isEmpty else { throw reader.error }
        configuration.sources = reader.sources
        return configuration
    }

    /// Each setting in table order (the order its problems are reported in), then those wrong only together.
    private mutating func read(_ reader: inout SettingReader) {
        typealias Parse = SettingParsers
        listenAddress = reader.read("LISTEN_ADDR", ListenAddress.parse) ?? listenAddress
        dstackEndpoint = reader.read("DSTACK_URL", DstackEndpoint.parse) ?? dstackEndpoint
        dataDirectory = reader.read("DATA_DIR", Parse.path) ?? dataDirectory
        let registry = reader.read("REGISTRY_URL") { text, setting throws(InvalidValue) in
            try HTTPURL.parse(text, setting: setting)
        }
        let owner = reader.read("OWNER_ADDRESS", EthereumAddress.parseOwner)
        nodeType = reader.read("NODE_TYPE", NodeType.parse) ?? nodeType
        dstackPollInterval =
            reader.read("DSTACK_POLL_INTERVAL", Parse.duration(minimum: .dstackPollInterval)) ?? dstackPollInterval
        dstackToken = reader.read("DSTACK_TOKEN", Parse.headerToken) ?? dstackToken
        advertiseIP = reader.read("ADVERTISE_IP", Parse.ipAddress) ?? advertiseIP
        httpConnectTimeout = reader.read("HTTP_CONNECT_TIMEOUT", Parse.duration()) ?? httpConnectTimeout
        httpTimeout = reader.read("HTTP_TIMEOUT", Parse.duration()) ?? httpTimeout
        registrationTimeout = reader.read("REGISTRATION_TIMEOUT", Parse.duration()) ?? registrationTimeout
        registryRecheckInterval =
            reader.read("REGISTRY_RECHECK_INTERVAL", Parse.duration(minimum: .registryRecheckInterval))
            ?? registryRecheckInterval
        registryAuth = reader.read("REGISTRY_AUTH", RegistryAuth.parse) ?? registryAuth
        metricsEnabled = reader.read("METRICS", Parse.boolean) ?? metricsEnabled
        logLevel = reader.read("LOG_LEVEL", Parse.logLevel) ?? logLevel
        logFormat = reader.read("LOG_FORMAT", Parse.logFormat) ?? logFormat
        var limits = serverLimits
        limits.maxConnections =
            reader.read("MAX_CONNECTIONS", Parse.count(minimum: .maxConnections, maximum: 1 << 20)) ?? limits.maxConnections
        limits.idleTimeout = reader.read("IDLE_TIMEOUT", Parse.duration(minimum: .idleTimeout)) ?? limits.idleTimeout
        limits.requestTimeout =
            reader.read("REQUEST_TIMEOUT", Parse.duration(minimum: .requestTimeout)) ?? limits.requestTimeout
        limits.shutdownGrace = reader.read("SHUTDOWN_GRACE", Parse.duration(maximum: .shutdownGrace)) ?? limits.shutdownGrace
        limits.maxHeaderBytes =
            reader.read("MAX_HEADER_BYTES", Parse.count(minimum: .maxHeaderBytes, maximum: 1 << 20)) ?? limits.maxHeaderBytes
        limits.maxBodyBytes = reader.read("MAX_BODY_BYTES", Parse.count(maximum: 64 << 20)) ?? limits.maxBodyBytes
        limits.maxHeaderCount =
            reader.read("MAX_HEADER_COUNT", Parse.count(minimum: .maxHeaderCount, maximum: 10_000)) ?? limits.maxHeaderCount
        limits.maxBufferedOutputBytes =
            reader.read("MAX_BUFFERED_OUTPUT_BYTES", Parse.count(maximum: 64 << 20)) ?? limits.maxBufferedOutputBytes
        serverLimits = limits

        // Each valid, wrong together; a setting not read (wrong or missing) takes no part.
        if let registry {
            registryURL = registry
            if let owner, let problem = EthereumAddress.demoOwnerProblem(owner: owner, registry: registry) {
                reader.report("OWNER_ADDRESS", problem)
            }
            if registryAuth == .nip98, registry.userinfo != nil {
                reader.report(
                    "REGISTRY_URL",
                    "carries a user name and password, which cannot be sent with REGISTRY_AUTH=nip98 (both use the"
                        + " Authorization header): remove one of them")
            }
        }
        ownerAddress = owner ?? ownerAddress
    }
}

/// Everything wrong with the configuration, so the operator fixes it all in one round.
///
/// Start-up prints `lines` (one per problem, in table order) to standard error and exits 78.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The setting at fault (the variable or flag it came from, e.g. `LISTEN_ADDR`) and what is wrong with it.
    public var problems: [(setting: String, problem: String)] = []

    /// `Error: <setting> <problem>`, the shape of the reference's messages, e.g.
    /// `Error: LISTEN_ADDR "x" has no port: use host:port such as 0.0.0.0:8080`.
    public var lines: [String] { problems.map { "Error: \($0.setting) \($0.problem)" } }

    public var description: String { lines.joined(separator: "\n") }
}

/// Looks each setting up (flag, then its variables in order, else unset), parses it, and collects problems.
struct SettingReader {
    let environment: [String: String]
    let flags: [String: String]
    /// The settings to read; nil for all.
    let only: Set<String>?
    var error = ConfigurationError()
    var sources: [String: String] = [:]

    /// The value given for the setting `name`, parsed by `parse` (given the text and the variable or flag to
    /// name in its errors); nil when unset, not in `only`, or wrong (then the problem is recorded).
    mutating func read<Value: Equatable>(
        _ name: String, _ parse: (_ text: String, _ setting: String) throws(InvalidValue) -> Value
    ) -> Value? {
        guard only?.contains(name) ?? true else { return nil }
        guard let setting = Configuration.setting(named: name) else { preconditionFailure("\(name) is not in the table") }
        let variables = setting.environmentNames.compactMap { variable in
            environment[variable].flatMap { $0.trimmingASCIIWhitespace().isEmpty ? nil : (name: variable, text: $0) }
        }
        let flag = flags[name]
        let given: (text: String, label: String, source: String)? =
            if let flag { (flag, setting.flagSpelling, "flag \(setting.flagSpelling)") } else {
                variables.first.map { ($0.text, $0.name, "env \($0.name)") }
            }
        var value: Value?
        if let given, !given.text.trimmingASCIIWhitespace().isEmpty {
            do {
                value = try parse(given.text, given.label)
                sources[name] = given.source
            } catch {
                report(given.label, error.description)
            }
        } else if setting.isRequired {
            report(name, "environment variable is required for worker registration")
        }
        // An older name may not say something else than the name itself (a flag overrides both).
        if setting.namesMustAgree, flag?.trimmingASCIIWhitespace().isEmpty ?? true, let first = variables.first,
            first.name == name
        {
            for older in variables.dropFirst() {
                let (new, old) = (first.text.trimmingASCIIWhitespace(), older.text.trimmingASCIIWhitespace())
                // Values that parse the same agree (a trailing `/`); credentials count, so this is unmasked.
                guard new != old, (try? parse(new, name)).map({ $0 == (try? parse(old, name)) }) != true else { continue }
                report(
                    name,
                    "\"\(URLRedaction.redact(new))\" and \(older.name) \"\(URLRedaction.redact(old))\" are both set and"
                        + " differ; \(older.name) is the older name of the same setting: keep only \(name)")
            }
        }
        return value
    }

    mutating func report(_ setting: String, _ problem: String) {
        error.problems.append((setting, problem))
    }

    /// `read` for a value that needs no setting name in its errors.
    mutating func read<Value: Equatable>(_ name: String, _ parse: (String) throws(InvalidValue) -> Value) -> Value? {
        read(name) { text, _ throws(InvalidValue) in try parse(text) }
    }
}
