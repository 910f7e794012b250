@testable import DstackBackend
import DstackTestSupport
import Foundation
import Testing

/// Parses `docker-compose.yml` with PyYAML (an independent parser) and checks the wiring the contract fixes.
@Suite struct ComposeFileTests {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A compose file as JSON, via python3 + PyYAML; compose's `!reset` tag reads as `{"!reset": value}`.
    func composeDocument(_ file: String = "docker-compose.yml") throws -> [String: Any] {
        let json = try runPython(
            """
            import json, sys, yaml
            class Loader(yaml.SafeLoader): pass
            Loader.add_constructor("!reset", lambda loader, node: {"!reset": loader.construct_sequence(node)})
            print(json.dumps(yaml.load(open(sys.argv[1]), Loader=Loader)))
            """,
            arguments: [Self.packageRoot.appendingPathComponent(file).path])
        let data = Data(json.utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func wiresTheBackendAndTheWorkerAsTheContractSays() throws {
        let compose = try composeDocument()
        let services = try #require(compose["services"] as? [String: Any])
        let backend = try #require(services["dstack-backend"] as? [String: Any])
        let worker = try #require(services["dephy-worker"] as? [String: Any])

        let backendVolumes = try #require(backend["volumes"] as? [String])
        #expect(backendVolumes.contains("shared-data:/app/data"))
        // The VMM's run directory at the same path inside, so a unix:// URL names the socket the same way.
        let runDirectory = "${DSTACK_RUN_DIR:-/opt/dstack/dstack-v05x/run}"
        #expect(backendVolumes.contains(runDirectory + ":" + runDirectory))
        #expect(backend["user"] as? String == "${DSTACK_BACKEND_USER:-1573:1573}")
        #expect(backend["restart"] as? String == "always")
        #expect((backend["extra_hosts"] as? [String])?.contains("host.docker.internal:host-gateway") == true)
        #expect((backend["ports"] as? [String])?.contains { $0.hasSuffix(":8080") } == true)
        let healthcheck = try #require(backend["healthcheck"] as? [String: Any])
        #expect((healthcheck["test"] as? [String])?.contains("healthcheck") == true)
        #expect(healthcheck["interval"] as? String == "10s")
        #expect(healthcheck["timeout"] as? String == "5s")
        #expect(healthcheck["retries"] as? Int == 3)
        // Registration (REGISTRATION_TIMEOUT) and the first poll happen before /health answers.
        let startPeriod = try #require(healthcheck["start_period"] as? String)
        let registration = try #require(Configuration.setting(named: "REGISTRATION_TIMEOUT")?.defaultText)
        let pollTimeout = try #require(Configuration.setting(named: "HTTP_TIMEOUT")?.defaultText)
        #expect(try seconds(startPeriod) >= seconds(registration) + seconds(pollTimeout), "\(startPeriod)")
        #expect(backend["stop_grace_period"] != nil)
        let environment = try #require(backend["environment"] as? [String: Any])
        #expect(environment["DATA_DIR"] as? String == "/app/data")
        #expect(environment["DSTACK_BACKEND_DSTACK_URL"] != nil)

        // Fully qualified: podman resolves no short name without a registries.conf alias.
        #expect((worker["image"] as? String)?.hasPrefix("docker.io/dephyio/dephy-worker-next:${DEPHY_WORKER_IMAGE_TAG") == true)
        #expect((worker["volumes"] as? [String])?.contains("shared-data:/opt/dephy-worker/data") == true)
        let dependsOn = try #require(worker["depends_on"] as? [String: Any])
        let onBackend = try #require(dependsOn["dstack-backend"] as? [String: Any])
        #expect(onBackend["condition"] as? String == "service_healthy")
        let command = try #require(worker["command"] as? [String])
        let backendURL = try #require(command.firstIndex(of: "--backend").map { command[$0 + 1] })
        #expect(backendURL == "http://dstack-backend:8080/health")
        #expect(command.contains("--api-addr"))
        #expect((worker["ports"] as? [String])?.contains { $0.hasSuffix(":9001") } == true)

        #expect((compose["volumes"] as? [String: Any])?.keys.contains("shared-data") == true)
    }

    @Test func demoProfileRunsTheSimulator() throws {
        let services = try #require(try composeDocument()["services"] as? [String: Any])
        let simulator = try #require(services["dstack-simulator"] as? [String: Any])
        #expect(simulator["profiles"] as? [String] == ["demo"])
        #expect((simulator["command"] as? [String])?.first == "simulate")
    }

    /// The README's `curl -X POST localhost:14520/sim/outage` reaches the simulator from the host: both of its ports
    /// are published as the file publishes the others (all interfaces unless the variable names an address).
    @Test func demoProfilePublishesBothSimulatorPorts() throws {
        let services = try #require(try composeDocument()["services"] as? [String: Any])
        let simulator = try #require(services["dstack-simulator"] as? [String: Any])
        let command = try #require(simulator["command"] as? [String])
        let registryPort = try #require(command.firstIndex(of: "--registry-port").map { command[$0 + 1] })
        let vmmPort = try #require(command.firstIndex(of: "--vmm-port").map { command[$0 + 1] })
        #expect(simulator["ports"] as? [String] == [
            "${SIMULATOR_REGISTRY_PORT:-\(registryPort)}:\(registryPort)", "${SIMULATOR_VMM_PORT:-\(vmmPort)}:\(vmmPort)",
        ])
        let backend = try #require(services["dstack-backend"] as? [String: Any])
        #expect(backend["ports"] as? [String] == ["${DSTACK_BACKEND_PORT:-8080}:8080"])
    }

    /// `podman-compose up -d` reads container-compose.override.yml after docker-compose.yml; it swaps only what
    /// podman 4.3 refuses (host-gateway) and keeps dephy-worker's command but for the host's name.
    @Test func podmanOverrideChangesOnlyHostGateway() throws {
        let main = try #require(try composeDocument()["services"] as? [String: Any])
        let override = try composeDocument("container-compose.override.yml")
        #expect(Set(override.keys) == ["services"])
        let services = try #require(override["services"] as? [String: Any])
        #expect(Set(services.keys) == ["dstack-backend", "dephy-worker"])
        let backend = try #require(services["dstack-backend"] as? [String: Any])
        #expect(Set(backend.keys) == ["extra_hosts"])
        #expect(backend["extra_hosts"] as? [String: [String]] == ["!reset": []])
        let worker = try #require(services["dephy-worker"] as? [String: Any])
        #expect(Set(worker.keys) == ["extra_hosts", "command"])
        #expect(worker["extra_hosts"] as? [String: [String]] == ["!reset": []])
        let mainCommand = try #require((main["dephy-worker"] as? [String: Any])?["command"] as? [String])
        let podmanCommand = try #require(worker["command"] as? [String])
        #expect(podmanCommand == mainCommand.map {
            $0.replacingOccurrences(of: "host.docker.internal", with: "host.containers.internal")
        })
        #expect(podmanCommand != mainCommand)
        // Docker Compose must never read it: not one of its default or override file names.
        for dockerName in ["compose.yaml", "compose.yml", "compose.override.yml", "docker-compose.override.yml"] {
            #expect(!FileManager.default.fileExists(atPath: Self.packageRoot.appendingPathComponent(dockerName).path))
        }
    }

    @Test func envExampleListsEveryVariableTheComposeFileUses() throws {
        let example = try String(contentsOf: Self.packageRoot.appendingPathComponent(".env.example"), encoding: .utf8)
        let compose = try String(contentsOf: Self.packageRoot.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\$\{([A-Z_]+)"#)
        let names = Set(pattern.matches(in: compose, range: NSRange(compose.startIndex..., in: compose)).map {
            String(compose[Range($0.range(at: 1), in: compose)!])
        })
        #expect(!names.isEmpty)
        for name in names where name != "DSTACK_BACKEND_IMAGE" {
            #expect(example.contains("\n\(name)="), "\(name) is missing from .env.example")
        }
        #expect(example.contains("\nOWNER_ADDRESS=\n"), "the example must carry no usable owner")
        #expect(example.contains("\nNODE_TYPE=auto\n"))
        #expect(example.contains("\nDSTACK_BACKEND_USER=1573:1573\n"))
    }

    /// Issue 21: `.env.example` says which lines a systemd env file takes: everything before its "docker compose
    /// only" section, which are the backend's own settings (DSTACK_URL and LISTEN_ADDR among them, never the
    /// compose file's variables: DSTACK_BACKEND_DSTACK_URL names host.docker.internal), and that part, filled
    /// in as the README says, is a configuration the daemon accepts.
    @Test func envExampleSeparatesTheSystemdLinesFromTheComposeOnlyOnes() throws {
        let example = try String(contentsOf: Self.packageRoot.appendingPathComponent(".env.example"), encoding: .utf8)
        let parts = example.components(separatedBy: "\n# ---- docker compose only")
        try #require(parts.count == 2, ".env.example has no (or more than one) \"# ---- docker compose only\" section")
        let variables = { (text: String) -> [String: String] in
            var found: [String: String] = [:]
            for line in text.components(separatedBy: "\n") where !line.hasPrefix("#") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                found[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return found
        }
        let systemd = variables(parts[0])
        let composeOnly = Set(variables(parts[1]).keys)
        let settings = Set(Configuration.settings.flatMap(\.environmentNames))
        #expect(Set(systemd.keys).subtracting(settings).isEmpty, "not the backend's: \(Set(systemd.keys).subtracting(settings))")
        #expect(systemd["DSTACK_BACKEND_DSTACK_URL"] == nil)
        #expect(systemd["DSTACK_URL"] != nil && systemd["LISTEN_ADDR"] != nil)
        #expect(composeOnly.intersection(settings) == ["DSTACK_BACKEND_DSTACK_URL"], "\(composeOnly.intersection(settings))")

        var filled = systemd
        filled["REGISTRY_URL"] = "https://registry.example.com"
        filled["OWNER_ADDRESS"] = "0x3E5e9111Ae8eB78Fe1CC3bb8915d5D461F3Ef9A9"
        filled["DSTACK_URL"] = "unix:/opt/dstack/dstack-v05x/run/vmm.sock"
        let configuration = try Configuration.resolve(environment: filled, flags: [:])
        #expect(configuration.dstackEndpoint.description.contains("/opt/dstack/dstack-v05x/run/vmm.sock"))
        #expect(configuration.listenAddress == .inet(host: "0.0.0.0", port: 8080))
    }

    /// Every setting of the binary reaches the container: compose lists each variable (LISTEN_ADDR and DATA_DIR
    /// are fixed by the image's layout), passes it through from .env under its own name, and lists nothing else.
    @Test func everyBackendSettingReachesTheContainer() throws {
        let services = try #require(try composeDocument()["services"] as? [String: Any])
        let backend = try #require(services["dstack-backend"] as? [String: Any])
        let environment = try #require(backend["environment"] as? [String: Any])
        let fixed = ["LISTEN_ADDR": "0.0.0.0:8080", "DATA_DIR": "/app/data"]
        let names = Configuration.settings.flatMap(\.environmentNames)
        for name in names {
            let value = try #require(environment[name] as? String, "\(name) is not passed to the container")
            if let fixedValue = fixed[name] {
                #expect(value == fixedValue)
            } else {
                #expect(value.hasPrefix("${\(name)-") || value.hasPrefix("${\(name):-"), "\(name): \(value)")
            }
        }
        #expect(Set(environment.keys) == Set(names), "compose passes variables the backend does not read")
    }

    /// With no .env at all the demo works (the simulator and the generated demo owner); with .env.example copied
    /// unchanged, the backend stops with the reference's message until OWNER_ADDRESS is set.
    @Test func noEnvFileMeansTheDemoAndTheExampleMeansSetYourOwner() throws {
        let services = try #require(try composeDocument()["services"] as? [String: Any])
        let backend = try #require(services["dstack-backend"] as? [String: Any])
        let environment = try #require(backend["environment"] as? [String: String])

        let demo = try Configuration.resolve(environment: Self.interpolate(environment, with: [:]), flags: [:])
        #expect(demo.ownerAddress == EthereumAddress.demoOwner)
        #expect(demo.registryURL.host == "dstack-simulator")
        #expect(demo.dstackEndpoint.description == "http://dstack-simulator:14520")
        #expect(demo.nodeType == .auto)

        let example = try Self.envFile(Self.packageRoot.appendingPathComponent(".env.example"))
        let errors = #expect(throws: ConfigurationError.self) {
            _ = try Configuration.resolve(environment: Self.interpolate(environment, with: example), flags: [:])
        }
        #expect(errors?.lines.contains("Error: OWNER_ADDRESS environment variable is required for worker registration") == true)

        // The demo owner never goes to a real registry, even from an .env that forgets OWNER_ADDRESS entirely.
        var forgetful = example.filter { $0.key != "OWNER_ADDRESS" }
        forgetful["REGISTRY_URL"] = "https://registry.example.com"
        let refused = #expect(throws: ConfigurationError.self) {
            _ = try Configuration.resolve(environment: Self.interpolate(environment, with: forgetful), flags: [:])
        }
        #expect(refused?.lines.contains { $0.contains("is the demo owner") } == true)

        var filled = example
        filled["REGISTRY_URL"] = "https://registry.example.com"
        filled["OWNER_ADDRESS"] = "0x3e5e9111ae8eb78fe1cc3bb8915d5d461f3ef9a9"
        filled["LOG_FORMAT"] = "json"
        filled["MAX_BODY_BYTES"] = "1024"
        let production = try Configuration.resolve(environment: Self.interpolate(environment, with: filled), flags: [:])
        #expect(production.ownerAddress.checksummed == "0x3E5e9111Ae8eB78Fe1CC3bb8915d5D461F3Ef9A9")
        #expect(production.nodeType == .auto)
        #expect(production.logFormat == .json)
        #expect(production.serverLimits.maxBodyBytes == 1024)
        #expect(production.dstackEndpoint.description == "http://host.docker.internal:14520")
    }

    /// `${NAME-default}` and `${NAME:-default}` as compose interpolates them (`:-` also replaces an empty value).
    static func interpolate(_ environment: [String: String], with variables: [String: String]) throws -> [String: String] {
        let pattern = try NSRegularExpression(pattern: #"^\$\{([A-Z_]+)(:?)-([^}]*)\}$"#)
        return environment.mapValues { value in
            guard let match = pattern.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) else {
                return value
            }
            let group = { (index: Int) in String(value[Range(match.range(at: index), in: value)!]) }
            let (name, colon, fallback) = (group(1), group(2), group(3))
            guard let given = variables[name] else { return fallback }
            return colon == ":" && given.isEmpty ? fallback : given
        }
    }

    /// `NAME=value` lines of an env file; comments and blank lines skipped.
    static func envFile(_ url: URL) throws -> [String: String] {
        var variables: [String: String] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n") {
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return variables
    }

    /// `150s`, `2m` or `120` in seconds.
    func seconds(_ text: String) throws -> Double {
        if text.hasSuffix("ms") { return try #require(Double(text.dropLast(2))) / 1000 }
        if text.hasSuffix("s") { return try #require(Double(text.dropLast())) }
        if text.hasSuffix("m") { return try #require(Double(text.dropLast())) * 60 }
        return try #require(Double(text))
    }
}

/// The image's promises, read from the Dockerfile (no Docker engine here; scripts/check-image covers the binary).
@Suite struct DockerfileTests {
    @Test func runtimeStageIsSlimNonRootAndHealthChecked() throws {
        let text = try String(contentsOf: ComposeFileTests.packageRoot.appendingPathComponent("Dockerfile"), encoding: .utf8)
        // The text before the first FROM is the header comment; then one part per stage.
        let stages = Array(text.components(separatedBy: "\nFROM ").dropFirst())
        #expect(stages.count == 2, "a build stage and a runtime stage")
        let build = try #require(stages.first)
        let runtime = try #require(stages.last)
        #expect(build.hasPrefix("swift:6"))
        #expect(build.contains("bookworm AS build"))
        #expect(build.contains("--static-swift-stdlib"))
        #expect(build.contains("strip "))
        #expect(runtime.hasPrefix("debian:bookworm-slim"))
        for package in ["libcurl4", "libsecp256k1-1", "libssl3"] {
            #expect(runtime.contains(package))
        }
        // libcurl's compiled-in CA bundle, from the build stage (which installs ca-certificates).
        #expect(build.contains("ca-certificates"))
        #expect(runtime.contains("COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt"))
        #expect(!runtime.contains("-dev"))
        #expect(!runtime.contains(" curl ") && !runtime.contains("wget"))
        #expect(runtime.contains("WORKDIR /app"))
        #expect(runtime.contains("DATA_DIR=/app/data"))
        #expect(runtime.contains(#"VOLUME ["/app/data"]"#))
        #expect(runtime.contains("EXPOSE 8080"))
        #expect(runtime.contains(#"CMD ["dstack-backend", "healthcheck"]"#))
        #expect(runtime.contains(#"ENTRYPOINT ["dstack-backend"]"#))
        let user = try #require(runtime.components(separatedBy: "\n").first { $0.hasPrefix("USER ") })
        // dephy-io's images run as uid 1573: the same uid reads the 0600 key on the shared volume.
        #expect(user == "USER 1573:1573")
        #expect(runtime.contains("--start-period=150s"))
        let ignore = try String(contentsOf: ComposeFileTests.packageRoot.appendingPathComponent(".dockerignore"), encoding: .utf8)
        #expect(ignore.components(separatedBy: "\n").contains(".build"))
    }
}
