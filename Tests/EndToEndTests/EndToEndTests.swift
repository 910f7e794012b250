@testable import DstackBackend
@testable import DstackSimulator
import DstackTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real binary, as a separate process, against the simulator on loopback.
@Suite(.serialized) struct EndToEndTests {
    static let owner = "0x3E5e9111Ae8eB78Fe1CC3bb8915d5D461F3Ef9A9"

    @Test func registersServesSurvivesAnOutageStopsAndRestartsWithTheSameKey() throws {
        try withBackend(waitForListening: nil) { simulator, backend, port in
            let keyPath = try #require(backend.environment["DATA_DIR"]) + "/key"
            #expect(backend.waitForOutput("Backend listening on 127.0.0.1:\(port)"), "log: \(backend.log)")
            #expect(backend.log.contains("Worker registration completed successfully"))
            #expect(backend.log.contains("Worker is now authorized to communicate with the message network"))
            #expect(simulator.registry.registrationPosts == 1)
            let worker = try #require(simulator.registry.registeredWorkers.first)
            #expect(worker.owner == Self.owner)
            #expect(worker.nodeType == "node-H200x8")
            let keyText = try String(contentsOfFile: keyPath, encoding: .utf8)
            #expect(keyText.range(of: "^[0-9a-f]{64}$", options: .regularExpression) != nil)

            let health = try #require(httpGet("http://127.0.0.1:\(port)/health"))
            #expect(health.status == 200)
            let info = try #require(try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any])
            #expect(info["status"] as? String == "Available")
            #expect(info["pubkeys"] as? [String] == [worker.pubkey])
            let metadata = try #require(info["metadata"] as? String)
            let gpus = try #require(try JSONSerialization.jsonObject(with: Data(metadata.utf8)) as? [String: Any])
            #expect(gpus["gpu_count"] as? Int == 8)

            // Outage: 503 within two poll intervals (plus scheduling slack), then recovery.
            simulator.vmm.setOutage(true)
            #expect(eventually(within: 2) { httpGet("http://127.0.0.1:\(port)/health")?.status == 503 })
            let down = try #require(httpGet("http://127.0.0.1:\(port)/health"))
            #expect(down.body.contains("\"status\":\"Unavailable\""))
            #expect(down.body.contains("simulated outage"))
            simulator.vmm.setOutage(false)
            #expect(eventually(within: 2) { httpGet("http://127.0.0.1:\(port)/health")?.status == 200 })

            // SIGTERM: exit 0 within 1 s.
            let start = Date()
            backend.signal(SIGTERM)
            let status = backend.waitForExit(timeout: 3)
            #expect(status == 0, "log: \(backend.log)")
            #expect(Date().timeIntervalSince(start) < 1.0)

            // Restart: same key, no second POST.
            let again = try BackendProcess(arguments: [], environment: backend.environment)
            defer { again.stop() }
            #expect(again.waitForOutput("Backend listening on"), "log: \(again.log)")
            #expect(simulator.registry.registrationPosts == 1)
            #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == keyText)
            again.signal(SIGINT)
            #expect(again.waitForExit(timeout: 3) == 0)
        }
    }

    /// Issue 8 at the daemon level: NODE_TYPE=auto, a revoked permission shows in /metrics, JSON logs.
    @Test func autoNodeTypeRevocationInMetricsAndJSONLogs() throws {
        try withBackend(environment: ["NODE_TYPE": "auto", "REGISTRY_RECHECK_INTERVAL": "1s", "LOG_FORMAT": "json"]) {
            simulator, backend, port in
            #expect(simulator.registry.registeredWorkers.first?.nodeType == "node-H200x8")
            let firstLine = try #require(backend.log.split(separator: "\n").first)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any])
            #expect(object["level"] as? String == "info")
            #expect(object["ts"] as? String != nil)
            #expect(httpGet("http://127.0.0.1:\(port)/metrics")?.body.contains("dstack_backend_registry_authorized 1") == true)
            let pubkey = try #require(simulator.registry.registeredWorkers.first?.pubkey)
            let metricsText = httpGet("http://127.0.0.1:\(port)/metrics")?.body ?? ""
            #expect(metricsText.contains("dstack_backend_info{pubkey=\"\(pubkey)\",node_type=\"node-H200x8\",version=\"\(BuildInfo.version)\"} 1"))
            #expect(metricsText.contains("\nprocess_open_fds "))
            _ = simulator.registry.respond(to: SimulatorRequest(method: "POST", path: "/sim/revoke/" + pubkey))
            #expect(eventually(within: 3) { httpGet("http://127.0.0.1:\(port)/metrics")?.body.contains("dstack_backend_registry_authorized 0") == true })
            #expect(backend.waitForOutput("Registry no longer authorizes the worker"))
        }
    }

    @Test func metricsOffAndAMismatchedNodeTypeWarns() throws {
        try withBackend(environment: ["METRICS": "false", "NODE_TYPE": "node-H100x1"]) { simulator, backend, port in
            #expect(httpGet("http://127.0.0.1:\(port)/metrics")?.status == 404)
            #expect(backend.log.contains("NODE_TYPE disagrees with the GPUs the VMM reports"))
            #expect(backend.log.contains("node_type.detected=node-H200x8"))
            #expect(simulator.registry.registeredWorkers.first?.nodeType == "node-H100x1")
        }
    }

    /// A VMM that accepts and never answers: /health still answers (503 after the timeout), and SIGTERM
    /// during a hung poll still exits 0 within a second.
    @Test func aHungVMMStallsNothingAndSigtermStillExitsPromptly() throws {
        let silent = try SilentListener()
        try withBackend(
            environment: ["DSTACK_URL": "http://127.0.0.1:\(silent.port)", "HTTP_TIMEOUT": "1s", "DSTACK_POLL_INTERVAL": "100ms"]
        ) { _, backend, port in
            let health = try #require(httpGet("http://127.0.0.1:\(port)/health"))
            #expect(health.status == 503)
            #expect(health.body.contains("timed out"))
            Thread.sleep(forTimeInterval: 0.3)  // a poll is now waiting on the silent VMM
            let start = Date()
            backend.signal(SIGTERM)
            #expect(backend.waitForExit(timeout: 3) == 0)
            #expect(Date().timeIntervalSince(start) < 1.0)
        }
    }

    /// A registry and a VMM where nothing listens.
    static func unreachableEnvironment(dataDirectory: String) -> [String: String] {
        [
            "REGISTRY_URL": "http://127.0.0.1:\(freePort())", "OWNER_ADDRESS": owner, "DATA_DIR": dataDirectory,
            "LISTEN_ADDR": "127.0.0.1:\(freePort())", "DSTACK_URL": "http://127.0.0.1:\(freePort())",
        ]
    }

    @Test func registrationFailureExitsOneWithTheContractLines() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var env = Self.unreachableEnvironment(dataDirectory: directory.path)
        env["REGISTRATION_TIMEOUT"] = "1s"
        let result = try BackendProcess.runToEnd([], environment: env)
        #expect(result.status == 1, "output: \(result.output)")
        #expect(result.output.contains("Worker registration failed: "))
        #expect(result.output.contains("Cannot start service without successful registration"))
        #expect(!result.output.contains("Backend listening"))
    }

    @Test func sigtermDuringRegistrationRetriesExits143() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try BackendProcess(arguments: [], environment: Self.unreachableEnvironment(dataDirectory: directory.path))
        #expect(backend.waitForOutput("Registry request failed, retrying"), "log: \(backend.log)")
        let start = Date()
        backend.signal(SIGTERM)
        #expect(backend.waitForExit(timeout: 3) == 143)
        #expect(Date().timeIntervalSince(start) < 1.0)
    }

    @Test func configurationErrorsAreReportedTogetherBeforeAnyKeyIsCreated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try BackendProcess.runToEnd(
            [], environment: [
                "OWNER_ADDRESS": "0x742d35Cc6634C0532925a3b844Bc9e7595f0bEb", "LISTEN_ADDR": "nope",
                "DATA_DIR": directory.path + "/data",
            ])
        #expect(result.status == 78)
        #expect(result.output.contains("Error: REGISTRY_URL environment variable is required for worker registration"))
        #expect(result.output.contains("39"))
        #expect(result.output.contains("LISTEN_ADDR"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/data/key"))
    }

    @Test func serverLimitsBelowTheirMinimumsExit78NamingTheSettingAndTheMinimum() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try BackendProcess.runToEnd(
            [], environment: [
                "REGISTRY_URL": "http://127.0.0.1:9", "OWNER_ADDRESS": Self.owner, "DATA_DIR": directory.path + "/data",
                "MAX_HEADER_BYTES": "10", "MAX_HEADER_COUNT": "2", "MAX_CONNECTIONS": "1", "IDLE_TIMEOUT": "10ms",
                "REQUEST_TIMEOUT": "100ms",
            ])
        #expect(result.status == 78)
        for expected in [
            #"Error: MAX_HEADER_BYTES "10" is smaller than the minimum 1024"#,
            #"Error: MAX_HEADER_COUNT "2" is smaller than the minimum 8"#,
            #"Error: MAX_CONNECTIONS "1" is smaller than the minimum 4"#,
            #"Error: IDLE_TIMEOUT "10ms" is shorter than the minimum 1s"#,
            #"Error: REQUEST_TIMEOUT "100ms" is shorter than the minimum 1s"#,
        ] {
            #expect(result.output.contains(expected), "output: \(result.output)")
        }
        #expect(!result.output.contains("Backend listening on"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/data/key"))
    }

    @Test func pubkeyPrintsTheKeyThatTheFileHolds() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try BackendProcess.runToEnd(["pubkey"], environment: ["DATA_DIR": directory.path])
        #expect(first.status == 0)
        let pubkey = first.output.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n").last ?? ""
        #expect(pubkey.range(of: "^[0-9a-f]{64}$", options: .regularExpression) != nil, "output: \(first.output)")
        let second = try BackendProcess.runToEnd(["pubkey", "--npub"], environment: ["DATA_DIR": directory.path])
        #expect(second.status == 0)
        #expect(second.output.contains("npub1"))
    }

    /// Issue 3's check: two processes create the key at once and agree; coincurve reads the file to the same pubkey.
    @Test func concurrentPubkeyCommandsAgreeAndCoincurveReadsTheKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let env = ["DATA_DIR": directory.path + "/data"]
        let first = try BackendProcess(arguments: ["pubkey"], environment: env)
        let second = try BackendProcess(arguments: ["pubkey"], environment: env)
        #expect(first.waitForExit(timeout: 10) == 0)
        #expect(second.waitForExit(timeout: 10) == 0)
        first.waitForEndOfOutput(timeout: 5)
        second.waitForEndOfOutput(timeout: 5)
        let a = first.log.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n").last ?? ""
        let b = second.log.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n").last ?? ""
        #expect(a == b, "first: \(first.log) second: \(second.log)")
        let keyPath = directory.path + "/data/key"
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try runPython(
            "import sys, coincurve; h = open(sys.argv[1]).read(); assert len(h) == 64 and h == h.strip().lower(); print(coincurve.PrivateKey(bytes.fromhex(h)).public_key_xonly.format().hex())",
            arguments: [keyPath])
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == a)
    }

    @Test func healthcheckExitCodes() throws {
        try withSimulator { simulator, _ in
            // Not /health: only --require-available's plain "200 or not" applies (ContainerContractTests has liveness).
            let ok = try BackendProcess.runToEnd(
                ["healthcheck", "--require-available", "--url", simulator.vmmURL + "/prpc/ListGpus?json"])
            #expect(ok.status == 0, "output: \(ok.output)")
            simulator.vmm.setOutage(true)
            let failing = try BackendProcess.runToEnd(
                ["healthcheck", "--require-available", "--url", simulator.vmmURL + "/prpc/ListGpus?json"])
            #expect(failing.status == 1)
            let nothing = try BackendProcess.runToEnd(["healthcheck", "--url", "http://127.0.0.1:\(freePort())/health"])
            #expect(nothing.status == 1)
        }
    }

    @Test func checkPassesAgainstTheSimulatorAndFailsWithHints() throws {
        try withSimulator { simulator, directory in
            var env = simulator.backendEnvironment(dataDirectory: directory, port: freePort())
            // No key yet: check must not create one.
            let noKey = try BackendProcess.runToEnd(["check"], environment: env)
            #expect(noKey.status == 1, "output: \(noKey.output)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/key"))
            _ = try BackendProcess.runToEnd(["pubkey"], environment: env)
            let good = try BackendProcess.runToEnd(["check"], environment: env)
            #expect(good.status == 0, "output: \(good.output)")
            #expect(simulator.registry.registrationPosts == 0)
            env["DSTACK_URL"] = "http://127.0.0.1:\(freePort())"
            let bad = try BackendProcess.runToEnd(["check"], environment: env)
            #expect(bad.status == 1)
            #expect(bad.output.contains("hint: nothing listens on 127.0.0.1:"), "a hint about the VMM not running: \(bad.output)")
            #expect(bad.output.contains("[FAIL] dstack VMM: connection refused"), "output: \(bad.output)")
        }
    }
}

/// A TCP listener that never accepts: connections complete in the kernel and then hear nothing.
final class SilentListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        do {
            try retryingEINTR("bind") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            try retryingEINTR("listen") { listen(fd, 16) }
        } catch {
            throw SystemTestError("cannot listen: \(error)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }
}
