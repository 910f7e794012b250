import Testing
@testable import DstackBackend

@Suite struct ConfigurationTests {
    static let required = [
        "REGISTRY_URL": "https://registry.example.com/",
        "OWNER_ADDRESS": "0x3e5e9111ae8eb78fe1cc3bb8915d5d461f3ef9a9",
    ]

    func resolve(_ environment: [String: String], flags: [String: String] = [:]) throws(ConfigurationError)
        -> Configuration
    {
        try Configuration.resolve(environment: environment, flags: flags)
    }

    @Test func appliesContractDefaults() throws {
        let configuration = try resolve(Self.required)
        #expect(configuration.listenAddress == .inet(host: "0.0.0.0", port: 8080))
        #expect(configuration.dstackEndpoint.description == "http://localhost:19060")
        #expect(configuration.dataDirectory == "./data")
        #expect(configuration.nodeType == .explicit("node-H100x1"))
        #expect(configuration.registryURL.description == "https://registry.example.com")
        #expect(configuration.ownerAddress.checksummed == "0x3E5e9111Ae8eB78Fe1CC3bb8915d5D461F3Ef9A9")
        #expect(configuration.dstackPollInterval == .seconds(5))
        #expect(configuration.dstackToken == nil)
        #expect(configuration.advertiseIP == nil)
        #expect(configuration.httpConnectTimeout == .seconds(5))
        #expect(configuration.httpTimeout == .seconds(10))
        #expect(configuration.registrationTimeout == .seconds(120))
        #expect(configuration.registryRecheckInterval == .seconds(600))
        #expect(configuration.registryAuth == .none)
        #expect(configuration.metricsEnabled)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .text)
        #expect(configuration.serverLimits.maxConnections == 4096)
        #expect(configuration.serverLimits.idleTimeout == .seconds(30))
        #expect(configuration.serverLimits.requestTimeout == .seconds(10))
        #expect(configuration.serverLimits.maxHeaderBytes == 8192)
        #expect(configuration.serverLimits.maxBodyBytes == 65536)
        #expect(configuration.sources["LISTEN_ADDR"] == nil)
        #expect(configuration.sources["REGISTRY_URL"] == "env REGISTRY_URL")
    }

    @Test func memberwiseDefaultsMatchTheTable() throws {
        let resolved = try resolve(Self.required)
        let built = Configuration(registryURL: resolved.registryURL, ownerAddress: resolved.ownerAddress)
        #expect(built.effectiveValues.map(\.value) == resolved.effectiveValues.map(\.value))
        // The table's default text is what a configuration nobody set shows.
        for (setting, value) in resolved.effectiveValues where !setting.isRequired {
            #expect(value == setting.defaultText, "\(setting.name)")
        }
    }

    @Test func trimsTheDataDirectory() throws {
        var environment = Self.required
        environment["DATA_DIR"] = " /app/data \n"
        #expect(try resolve(environment).dataDirectory == "/app/data")
    }

    @Test func missingRequiredSettingsUseTheContractMessages() {
        let error = #expect(throws: ConfigurationError.self) { try resolve([:]) }
        #expect(
            error?.lines == [
                "Error: REGISTRY_URL environment variable is required for worker registration",
                "Error: OWNER_ADDRESS environment variable is required for worker registration",
            ])
    }

    @Test func reportsEveryProblemAtOnceOneLineEach() {
        let environment = [
            "REGISTRY_URL": "ftp://registry",
            "OWNER_ADDRESS": "0x742d35Cc6634C0532925a3b844Bc9e7595f0bEb",
            "LISTEN_ADDR": "8080",
            "NODE_TYPE": "node H100",
            "HTTP_TIMEOUT": "0",
            "METRICS": "maybe",
            "ADVERTISE_IP": "300.1.1.1",
        ]
        let error = #expect(throws: ConfigurationError.self) { try resolve(environment) }
        let lines = error?.lines ?? []
        #expect(lines.count == 7)
        #expect(lines.allSatisfy { $0.hasPrefix("Error: ") && !$0.contains("\n") })
        #expect(error?.problems.map(\.setting) == [
            "LISTEN_ADDR", "REGISTRY_URL", "OWNER_ADDRESS", "NODE_TYPE", "ADVERTISE_IP", "HTTP_TIMEOUT", "METRICS",
        ])
        #expect(lines.contains { $0.contains("39 hex digits") })
        #expect(lines.contains { $0.contains("only http and https") })
    }

    @Test func dstackURLWinsOverTheComposeName() throws {
        var environment = Self.required
        environment["DSTACK_BACKEND_DSTACK_URL"] = "http://host.docker.internal:14520"
        #expect(try resolve(environment).dstackEndpoint.description == "http://host.docker.internal:14520")
        #expect(try resolve(environment).sources["DSTACK_URL"] == "env DSTACK_BACKEND_DSTACK_URL")
        environment["DSTACK_URL"] = "unix:///opt/dstack/run/vmm.sock"
        #expect(try resolve(environment).dstackEndpoint == .unixSocket(path: "/opt/dstack/run/vmm.sock"))
        environment["DSTACK_URL"] = ""
        #expect(try resolve(environment).dstackEndpoint.description == "http://host.docker.internal:14520")
    }

    @Test func flagBeatsEnvironment() throws {
        var environment = Self.required
        environment["NODE_TYPE"] = "node-H200x8"
        environment["DSTACK_URL"] = "http://a:1"
        let configuration = try resolve(
            environment,
            flags: ["NODE_TYPE": "node-B200x4", "DSTACK_URL": "unix:/run/vmm.sock", "REGISTRY_URL": "http://flag:9000"])
        #expect(configuration.nodeType == .explicit("node-B200x4"))
        #expect(configuration.dstackEndpoint == .unixSocket(path: "/run/vmm.sock"))
        #expect(configuration.registryURL.description == "http://flag:9000")
        #expect(configuration.sources["NODE_TYPE"] == "flag --node-type")
    }

    @Test func flagErrorsNameTheFlag() {
        let error = #expect(throws: ConfigurationError.self) {
            try resolve(Self.required, flags: ["HTTP_TIMEOUT": "soon"])
        }
        #expect(error?.lines == [
            "Error: --http-timeout \"soon\" is not a duration: use seconds such as 5 or 2.5, or 500ms, 5s, 2m"
        ])
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        var environment = Self.required
        environment["LISTEN_ADDR"] = ""
        environment["NODE_TYPE"] = "  "
        let configuration = try resolve(environment)
        #expect(configuration.listenAddress == .defaultValue)
        #expect(configuration.nodeType == .defaultValue)
        environment["REGISTRY_URL"] = ""
        let error = #expect(throws: ConfigurationError.self) { try resolve(environment) }
        #expect(error?.lines == ["Error: REGISTRY_URL environment variable is required for worker registration"])
    }

    @Test func unknownFlagKeyIsReported() {
        let error = #expect(throws: ConfigurationError.self) { try resolve(Self.required, flags: ["registry-url": "x"]) }
        #expect(error?.problems.first?.setting == "registry-url")
    }

    @Test(arguments: [
        ("5", 5.0), ("2.5", 2.5), ("500ms", 0.5), ("5s", 5.0), ("2m", 120.0), ("1h", 3600.0), (" 3S ", 3.0),
    ])
    func parsesDurations(text: String, seconds: Double) throws {
        var environment = Self.required
        environment["HTTP_TIMEOUT"] = text
        #expect(try resolve(environment).httpTimeout == .seconds(seconds))
    }

    @Test(arguments: ["0", "-1", "0ms", "abc", "5x", "", "1e3", "inf", "nan", "s"])
    func refusesBadDurations(text: String) {
        var environment = Self.required
        environment["REGISTRATION_TIMEOUT"] = text
        if text.isEmpty {
            #expect(throws: Never.self) { try resolve(environment) }
            return
        }
        let error = #expect(throws: ConfigurationError.self) { try resolve(environment) }
        #expect(error?.problems.map(\.setting) == ["REGISTRATION_TIMEOUT"])
    }

    @Test func refusesNonPositiveCounts() {
        var environment = Self.required
        environment["MAX_CONNECTIONS"] = "0"
        environment["MAX_BODY_BYTES"] = "-5"
        environment["MAX_HEADER_BYTES"] = "lots"
        let error = #expect(throws: ConfigurationError.self) { try resolve(environment) }
        #expect(error?.lines == [
            "Error: MAX_CONNECTIONS \"0\" must be greater than zero",
            "Error: MAX_HEADER_BYTES \"lots\" is not a whole number",
            "Error: MAX_BODY_BYTES \"-5\" must be greater than zero",
        ])
    }

    @Test func parsesTheOtherSettings() throws {
        var environment = Self.required
        environment["METRICS"] = "No"
        environment["LOG_LEVEL"] = "DEBUG"
        environment["LOG_FORMAT"] = "json"
        environment["REGISTRY_AUTH"] = "NIP98"
        environment["NODE_TYPE"] = "auto"
        environment["ADVERTISE_IP"] = "[2001:db8::7]"
        environment["DSTACK_TOKEN"] = "s3cret-token"
        environment["LISTEN_ADDR"] = "[::]:9090"
        let configuration = try resolve(environment)
        #expect(configuration.metricsEnabled == false)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .json)
        #expect(configuration.registryAuth == .nip98)
        #expect(configuration.nodeType == .auto)
        #expect(configuration.advertiseIP == "2001:db8::7")
        #expect(configuration.dstackToken == "s3cret-token")
        #expect(configuration.listenAddress == .inet(host: "::", port: 9090))
    }

    @Test func refusesATokenThatCannotBeAHeaderWithoutPrintingIt() {
        var environment = Self.required
        environment["DSTACK_TOKEN"] = "abc\u{1}def"
        let error = #expect(throws: ConfigurationError.self) { try resolve(environment) }
        #expect(error?.lines.count == 1)
        #expect(error?.description.contains("abc") == false)
    }

    @Test func everyDefaultInTheTableParses() throws {
        // resolve() parses each default through the same parser; none may fail.
        let configuration = try resolve(Self.required)
        let names = Configuration.settings.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(Set(Configuration.settings.map(\.flag)).count == names.count)
        #expect(configuration.effectiveValues.allSatisfy { $0.value != "(unknown)" })
        #expect(Configuration.setting(named: "REGISTRY_URL")?.defaultText == "(required)")
        #expect(Configuration.setting(named: "DSTACK_URL")?.environmentNames == ["DSTACK_URL", "DSTACK_BACKEND_DSTACK_URL"])
    }

    @Test func logsEverySettingAndMasksTheToken() throws {
        var environment = Self.required
        environment["DSTACK_TOKEN"] = "s3cret-token"
        let configuration = try resolve(environment)
        let sink = CollectingSink()
        configuration.logSettings(to: Logger(level: .info, sink: sink))
        let records = sink.records(withMessage: "Setting")
        #expect(records.map { $0.field("name") } == Configuration.settings.map(\.name))
        #expect(records.allSatisfy { !$0.fields.contains { $0.1.contains("s3cret") } })
        let token = records.first { $0.field("name") == "DSTACK_TOKEN" }
        #expect(token?.field("value") == "(set, hidden)")
        #expect(token?.field("source") == "env DSTACK_TOKEN")
        let owner = records.first { $0.field("name") == "OWNER_ADDRESS" }
        #expect(owner?.field("value") == "0x3E5e9111Ae8eB78Fe1CC3bb8915d5D461F3Ef9A9")
        #expect(records.first { $0.field("name") == "HTTP_TIMEOUT" }?.field("value") == "10s")
    }
}

@Suite struct NodeTypeTests {
    @Test func acceptsTokensAndAuto() throws {
        #expect(try NodeType.parse("node-H100x1") == .explicit("node-H100x1"))
        #expect(try NodeType.parse("CPU") == .explicit("CPU"))
        #expect(try NodeType.parse("a.b_c-d") == .explicit("a.b_c-d"))
        #expect(try NodeType.parse("auto") == .auto)
    }

    @Test(arguments: ["node H100", "node/1", "ñode", String(repeating: "a", count: 65)])
    func refusesOtherText(text: String) {
        #expect(throws: InvalidValue.self) { try NodeType.parse(text) }
    }
}

extension ConfigurationTests {
    /// The configuration errors' lines for the required settings with `changes` applied; empty if it resolves.
    static func errorLines(_ changes: [String: String]) -> [String] {
        do {
            _ = try Configuration.resolve(environment: required.merging(changes) { $1 }, flags: [:])
            return []
        } catch {
            return error.lines
        }
    }
}

extension ConfigurationTests {
    /// DSTACK_URL also takes a Unix socket, dstack's own default: its scheme errors say so. REGISTRY_URL does
    /// not, and its errors do not offer it.
    @Test func schemeErrorsNameUnixWhereItIsAccepted() throws {
        func firstLine(_ environment: [String: String]) -> String? {
            do {
                _ = try resolve(Self.required.merging(environment) { $1 })
                return nil
            } catch {
                return error.lines.first
            }
        }
        #expect(
            firstLine(["DSTACK_URL": "tcp://127.0.0.1:14520"])
                == #"Error: DSTACK_URL "tcp://127.0.0.1:14520" has the scheme "tcp"; DSTACK_URL takes http, https or unix:/path/vmm.sock (or unix:///path/vmm.sock)"#)
        #expect(
            firstLine(["DSTACK_URL": "/run/vmm.sock"])
                == #"Error: DSTACK_URL "/run/vmm.sock" is not a URL: use http://host:port, https://host or unix:/path/vmm.sock (or unix:///path/vmm.sock)"#)
        #expect(
            firstLine(["DSTACK_BACKEND_DSTACK_URL": "tcp://h:1"])?.contains("DSTACK_BACKEND_DSTACK_URL takes http, https or unix:/path/vmm.sock") == true)
        #expect(
            firstLine(["REGISTRY_URL": "tcp://registry:9000"])
                == #"Error: REGISTRY_URL "tcp://registry:9000" has the scheme "tcp"; only http and https are supported"#)
        #expect(
            firstLine(["REGISTRY_URL": "registry:9000"])
                == #"Error: REGISTRY_URL "registry:9000" is not a URL: use http://host:port or https://host"#)
    }
}
