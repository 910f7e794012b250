import Foundation
import Testing

/// Parses `docker-compose.yml` with PyYAML (an independent parser) and checks the wiring the contract fixes.
@Suite struct ComposeFileTests {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The compose file as JSON, via python3 + PyYAML.
    func composeDocument() throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            Self.packageRoot.appendingPathComponent("docker-compose.yml").path,
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ComposeError("python3 with PyYAML failed (run scripts/setup --test-tools): \(message)")
        }
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    struct ComposeError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func wiresTheBackendAndTheWorkerAsTheContractSays() throws {
        let compose = try composeDocument()
        let services = try #require(compose["services"] as? [String: Any])
        let backend = try #require(services["dstack-backend"] as? [String: Any])
        let worker = try #require(services["dephy-worker"] as? [String: Any])

        let backendVolumes = try #require(backend["volumes"] as? [String])
        #expect(backendVolumes.contains("shared-data:/app/data"))
        #expect(backendVolumes.contains { $0.hasSuffix(":/opt/dstack/dstack-v05x/run") })
        #expect(backend["restart"] as? String == "always")
        #expect((backend["extra_hosts"] as? [String])?.contains("host.docker.internal:host-gateway") == true)
        #expect((backend["ports"] as? [String])?.contains { $0.hasSuffix(":8080") } == true)
        let healthcheck = try #require(backend["healthcheck"] as? [String: Any])
        #expect((healthcheck["test"] as? [String])?.contains("healthcheck") == true)
        #expect(healthcheck["interval"] as? String == "10s")
        #expect(healthcheck["timeout"] as? String == "5s")
        #expect(healthcheck["retries"] as? Int == 3)
        #expect(healthcheck["start_period"] as? String == "40s")
        #expect(backend["stop_grace_period"] != nil)
        let environment = try #require(backend["environment"] as? [String: Any])
        #expect(environment["DATA_DIR"] as? String == "/app/data")
        #expect(environment["DSTACK_BACKEND_DSTACK_URL"] != nil)

        #expect((worker["image"] as? String)?.hasPrefix("dephyio/dephy-worker-next:${DEPHY_WORKER_IMAGE_TAG") == true)
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
        #expect(example.contains("OWNER_ADDRESS=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"))
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
        for package in ["libcurl4", "libsecp256k1-1", "libssl3", "ca-certificates"] {
            #expect(runtime.contains(package))
        }
        #expect(!runtime.contains("-dev"))
        #expect(!runtime.contains(" curl ") && !runtime.contains("wget"))
        #expect(runtime.contains("WORKDIR /app"))
        #expect(runtime.contains("DATA_DIR=/app/data"))
        #expect(runtime.contains(#"VOLUME ["/app/data"]"#))
        #expect(runtime.contains("EXPOSE 8080"))
        #expect(runtime.contains(#"CMD ["dstack-backend", "healthcheck"]"#))
        #expect(runtime.contains(#"ENTRYPOINT ["dstack-backend"]"#))
        let user = try #require(runtime.components(separatedBy: "\n").first { $0.hasPrefix("USER ") })
        #expect(!user.contains("root") && !user.hasSuffix(" 0") && !user.contains(" 0:"))
        let ignore = try String(contentsOf: ComposeFileTests.packageRoot.appendingPathComponent(".dockerignore"), encoding: .utf8)
        #expect(ignore.components(separatedBy: "\n").contains(".build"))
    }
}
