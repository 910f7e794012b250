@testable import DstackBackend
@testable import DstackSimulator
import DstackTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 13: credentials in REGISTRY_URL / DSTACK_URL never reach the binary's output, whatever it prints.
@Suite(.serialized) struct CredentialRedactionEndToEndTests {
    static let secret = "s3cretPass"
    static let token = "t0kenValue"

    func expectNoSecret(_ output: String, _ context: String) {
        #expect(!output.contains(Self.secret), "\(context): \(output)")
        #expect(!output.contains(Self.token), "\(context): \(output)")
    }

    @Test func theDaemonUsesTheCredentialsAndNeverPrintsThem() throws {
        // Debug prints every registry request's URL and every poll: those must be masked too.
        try withBackend(
            environment: ["LOG_LEVEL": "debug"],
            setUp: { simulator, _, environment in
                environment["REGISTRY_URL"] = simulator.registryURL.replacingOccurrences(of: "http://", with: "http://alice:\(Self.secret)@")
                environment["DSTACK_URL"] = simulator.vmmURL + "?token=\(Self.token)"
            }
        ) { simulator, backend, port in
            #expect(backend.log.contains("Registry request"), "log: \(backend.log)")
            #expect(backend.log.contains("alice:***@127.0.0.1"))
            #expect(backend.log.contains("?token=***"))
            simulator.vmm.setOutage(true)
            #expect(eventually(within: 3) { httpGet("http://127.0.0.1:\(port)/health")?.status == 503 })
            let health = httpGet("http://127.0.0.1:\(port)/health")?.body ?? ""
            backend.signal(SIGTERM)
            _ = backend.waitForExit()
            expectNoSecret(backend.log, "daemon log")
            expectNoSecret(health, "/health")
        }
    }

    @Test func checkAndConfigurationErrorsNeverPrintThem() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var env = EndToEndTests.unreachableEnvironment(dataDirectory: directory.path)
        env["REGISTRY_URL"] = env["REGISTRY_URL"]!.replacingOccurrences(of: "http://", with: "http://alice:\(Self.secret)@")
        env["DSTACK_URL"] = env["DSTACK_URL"]! + "/?token=\(Self.token)"
        #expect(try BackendProcess.runToEnd(["pubkey"], environment: ["DATA_DIR": directory.path]).status == 0)
        let check = try BackendProcess.runToEnd(["check"], environment: env)
        #expect(check.status != 0)
        #expect(check.output.contains("alice:***@"), "check: \(check.output)")
        #expect(check.output.contains("token=***"), "check: \(check.output)")
        expectNoSecret(check.output, "check")

        env["REGISTRY_URL"] = "ftp://alice:\(Self.secret)@registry.example.com"
        env["DSTACK_URL"] = "http://vmm:0?token=\(Self.token)"
        let refused = try BackendProcess.runToEnd([], environment: env)
        #expect(refused.status == 78)
        #expect(refused.output.contains("REGISTRY_URL"), "output: \(refused.output)")
        expectNoSecret(refused.output, "configuration errors")
    }
}
