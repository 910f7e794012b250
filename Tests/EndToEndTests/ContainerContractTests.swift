@testable import DstackBackend
@testable import DstackSimulator
import DstackTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What the container relies on, with the real binary: the healthcheck's liveness meaning, key.pub, and owners
/// refused before any request.
@Suite(.serialized) struct ContainerContractTests {
    @Test func healthcheckIsLivenessAndRequireAvailableIsStrict() throws {
        try withBackend(environment: ["DSTACK_POLL_INTERVAL": "100ms"]) { simulator, _, port in
            let health = "http://127.0.0.1:\(port)/health"

            #expect(eventually(within: 5) { httpGet(health)?.status == 200 })
            let available = try BackendProcess.runToEnd(["healthcheck", "--url", health])
            #expect(available.status == 0, "\(available.output)")
            #expect(available.output.contains("healthy: \(health) answered 200 Available"))
            #expect(try BackendProcess.runToEnd(["healthcheck", "--url", health, "--require-available"]).status == 0)

            // The VMM goes down: /health says 503 Unavailable, and the container stays healthy.
            simulator.vmm.setOutage(true)
            #expect(eventually(within: 5) { httpGet(health)?.status == 503 })
            let down = try BackendProcess.runToEnd(["healthcheck", "--url", health])
            #expect(down.status == 0, "\(down.output)")
            #expect(down.output.contains("answered 503 Unavailable"))
            let strict = try BackendProcess.runToEnd(["healthcheck", "--url", health, "--require-available"])
            #expect(strict.status == 1)
            #expect(strict.output.contains("unhealthy: \(health) answered 503 and --require-available needs 200"))
            simulator.vmm.setOutage(false)

            // Something that is not the backend: the simulated VMM answers 200 with its own JSON.
            let vmm = simulator.vmmURL + "/prpc/ListGpus?json"
            let other = try BackendProcess.runToEnd(["healthcheck", "--url", vmm])
            #expect(other.status == 1)
            #expect(other.output.contains("not BackendInfo"))
            #expect(try BackendProcess.runToEnd(["healthcheck", "--url", vmm, "--require-available"]).status == 0)

            // Nothing listening.
            let closed = try BackendProcess.runToEnd(["healthcheck", "--url", "http://127.0.0.1:\(freePort())/health"])
            #expect(closed.status == 1)
            #expect(closed.output.hasPrefix("unhealthy: "))
        }
    }

    @Test func theDaemonWritesKeyPubBesideItsKey() throws {
        try withBackend(environment: ["DSTACK_POLL_INTERVAL": "100ms"]) { simulator, backend, _ in
            let data = try #require(backend.environment["DATA_DIR"])
            backend.signal(SIGTERM)
            #expect(backend.waitForExit() == 0)
            let pubkey = try #require(simulator.registry.registeredWorkers.first?.pubkey)
            #expect(try String(contentsOfFile: data + "/key.pub", encoding: .utf8) == pubkey)
            var status = stat()
            #expect(stat(data + "/key.pub", &status) == 0)
            #expect(status.st_mode & 0o777 == 0o644)
            #expect(stat(data + "/key", &status) == 0)
            #expect(status.st_mode & 0o777 == 0o600)
        }
    }

    /// A placeholder owner stops the daemon before it creates a key or sends the registry anything.
    @Test(arguments: ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x0000000000000000000000000000000000000000"])
    func aPlaceholderOwnerStopsTheDaemonBeforeAnyRequest(owner: String) throws {
        try withSimulator { simulator, directory in
            var env = simulator.backendEnvironment(dataDirectory: directory + "/data", port: freePort())
            env["OWNER_ADDRESS"] = owner
            env["NODE_TYPE"] = "auto"
            env["DSTACK_POLL_INTERVAL"] = nil
            let result = try BackendProcess.runToEnd([], environment: env)
            #expect(result.status != 0 && result.status != nil)
            #expect(result.output.contains("a placeholder that appears in examples, not an owner"), "\(result.output)")
            #expect(simulator.registry.registrationPosts == 0)
            #expect(simulator.vmm.listRequests == 0)
            #expect(!FileManager.default.fileExists(atPath: directory + "/data/key"))
        }
    }
}
