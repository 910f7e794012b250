@testable import DstackBackend
@testable import DstackSimulator
import DstackTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real binary against each simulated registry generation: pending workers, 409 on restart, the
/// owner check, AUTH_SERVICE_URL, and the exit statuses 78 and 1.
@Suite(.serialized) struct RegistrationEndToEndTests {
    static let owner = EndToEndTests.owner

    static let settings = ["REGISTRY_RECHECK_INTERVAL": "1s", "REGISTRATION_TIMEOUT": "5s"]

    func environment(_ simulator: Simulator, dataDirectory: String, port: UInt16) -> [String: String] {
        simulator.backendEnvironment(dataDirectory: dataDirectory, port: port).merging(Self.settings) { $1 }
    }

    func metric(_ port: UInt16, _ line: String) -> Bool {
        httpGet("http://127.0.0.1:\(port)/metrics")?.body.split(separator: "\n").contains { $0 == line } == true
    }

    @Test func configurationErrorsExit78() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = try BackendProcess.runToEnd([], environment: ["OWNER_ADDRESS": Self.owner, "DATA_DIR": directory.path])
        #expect(missing.status == 78, "output: \(missing.output)")
        #expect(missing.output.contains("Error: REGISTRY_URL environment variable is required for worker registration"))
        let conflicting = try BackendProcess.runToEnd(
            [], environment: [
                "OWNER_ADDRESS": Self.owner, "DATA_DIR": directory.path, "REGISTRY_URL": "http://127.0.0.1:1",
                "AUTH_SERVICE_URL": "http://127.0.0.1:2",
            ])
        #expect(conflicting.status == 78, "output: \(conflicting.output)")
        #expect(conflicting.output.contains("AUTH_SERVICE_URL \"http://127.0.0.1:2\" are both set and differ"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/key"))
    }

    /// A registry that refuses (here: a REGISTRY_URL that is not the registry, every path 404) exits 1.
    @Test func aRegistryRefusalExits1() throws {
        try withSimulator { simulator, directory in
            var env = environment(simulator, dataDirectory: directory, port: freePort())
            env["REGISTRY_URL"] = simulator.vmmURL
            let result = try BackendProcess.runToEnd([], environment: env)
            #expect(result.status == 1, "output: \(result.output)")
            #expect(result.output.contains("Worker registration failed: POST \(simulator.vmmURL)/workers answered HTTP 404"))
            #expect(result.output.contains("Cannot start service without successful registration"))
        }
    }

    /// The registry already holds this worker for another owner: exit 78 before serving, both addresses logged.
    @Test func anotherOwnerInTheRegistryExits78WithoutServing() throws {
        try withSimulator { simulator, directory in
            let pubkey = try BackendProcess.pubkey(dataDirectory: directory)
            let other = "0x0000000000000000000000000000000000000001"
            simulator.registry.add(.init(pubkey: pubkey, owner: other, nodeType: "node-H200x8"))
            let port = freePort()
            let check = try BackendProcess.runToEnd(["check"], environment: environment(simulator, dataDirectory: directory, port: port))
            #expect(check.status == 1)
            #expect(check.output.contains("stored owner \(other) is NOT OWNER_ADDRESS \(Self.owner)"), "output: \(check.output)")
            let backend = try BackendProcess(arguments: [], environment: environment(simulator, dataDirectory: directory, port: port))
            defer { backend.stop() }
            // Bound but not listening while it decides: nothing may connect.
            #expect(httpGet("http://127.0.0.1:\(port)/health", timeout: 0.5) == nil)
            let status = backend.waitForExit(timeout: 10)
            #expect(status == 78, "log: \(backend.log)")
            #expect(backend.log.contains("Worker registration failed: the registry holds owner \(other)"))
            #expect(backend.log.contains("OWNER_ADDRESS is \(Self.owner)"))
            #expect(!backend.log.contains("Backend listening on"))
            #expect(simulator.registry.registrationPosts == 0)
        }
    }

    /// v0.2 with manual approval, configured by AUTH_SERVICE_URL: serves while pending (metric 0), then
    /// the approval is logged once and the metric turns 1; a restart makes no POST.
    @Test func aPendingWorkerServesAndTheApprovalIsLoggedOnce() throws {
        try withBackend(
            simulator: { try Simulator(registryOptions: .init(generation: .v02, manualApproval: true)) },
            environment: Self.settings, waitForListening: nil,
            setUp: { _, _, env in env["AUTH_SERVICE_URL"] = env.removeValue(forKey: "REGISTRY_URL") }
        ) { simulator, backend, port in
            #expect(backend.waitForOutput("Backend listening on 127.0.0.1:\(port)"), "log: \(backend.log)")
            #expect(backend.log.contains(#"name=REGISTRY_URL value=\#(simulator.registryURL) source="env AUTH_SERVICE_URL""#), "log: \(backend.log)")
            #expect(backend.log.contains("Registry has not granted write permission yet; the worker stays pending"))
            #expect(!backend.log.contains("Worker is now authorized to communicate with the message network"))
            #expect(httpGet("http://127.0.0.1:\(port)/health")?.status == 200)
            #expect(metric(port, "dstack_backend_registry_authorized 0"))
            let pubkey = try #require(simulator.registry.registeredWorkers.first?.pubkey)
            simulator.registry.approve(pubkey)
            #expect(eventually(within: 5) { metric(port, "dstack_backend_registry_authorized 1") })
            #expect(backend.waitForOutput("Worker is now authorized to communicate with the message network"))
            Thread.sleep(forTimeInterval: 0.5)
            #expect(backend.log.components(separatedBy: "Worker is now authorized to communicate with the message network").count == 2)
            #expect(!backend.log.contains("no longer authorizes"))
        }
    }

    /// The crash loop of the issue: a v0.1 registry (no GET /workers) with a worker still pending answers
    /// the restart's POST with 409. That is "already registered": the node serves.
    @Test func aV01RegistryAnswering409OnRestartIsNotACrashLoop() throws {
        try withBackend(
            simulator: { try Simulator(registryOptions: .init(generation: .v01, manualApproval: true)) },
            environment: Self.settings
        ) { simulator, first, port in
            first.signal(SIGTERM)
            #expect(first.waitForExit() == 0)
            let again = try BackendProcess(arguments: [], environment: first.environment)
            defer { again.stop() }
            #expect(again.waitForOutput("Backend listening on"), "log: \(again.log)")
            #expect(simulator.registry.registrationPosts == 2)
            #expect(again.log.contains("Registry says the worker is already registered (HTTP 409); not an error"))
            #expect(again.log.contains("Worker registration completed successfully"))
            #expect(httpGet("http://127.0.0.1:\(port)/health")?.status == 200)
        }
    }
}
