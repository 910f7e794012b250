@testable import DstackBackend
@testable import DstackSimulator
import DstackTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 20, with the real binary: a host that reboots with its VMM late, a registry whose `GET /workers`
/// fails, and the healthcheck following `LISTEN_ADDR`.
@Suite(.serialized) struct FirstBootEndToEndTests {
    static let owner = EndToEndTests.owner

    /// A budget long enough that the old behaviour (wait for the VMM, retry the lookup) shows as a timeout here.
    static let settings = ["NODE_TYPE": "auto", "REGISTRATION_TIMEOUT": "60s", "REGISTRY_RECHECK_INTERVAL": "1s"]

    /// The node's pubkey, creating its key in the DATA_DIR of `environment`.
    func pubkey(_ environment: [String: String]) throws -> String {
        try BackendProcess.pubkey(dataDirectory: try #require(environment["DATA_DIR"]))
    }

    func metrics(_ port: UInt16) -> [Substring] {
        httpGet("http://127.0.0.1:\(port)/metrics")?.body.split(separator: "\n") ?? []
    }

    func status(_ port: UInt16) -> Int? {
        httpGet("http://127.0.0.1:\(port)/health", timeout: 0.5)?.status
    }

    /// A reboot with the VMM not up yet: the registry already authorizes the node, so it serves 503 at once and
    /// derives (and compares) its node type when the VMM answers.
    @Test func anAuthorizedAutoNodeServesWhileTheVMMIsDownAndComparesItsTypeWhenItAnswers() throws {
        var key = ""
        var started = Date()
        try withBackend(
            environment: Self.settings, waitForListening: nil,
            setUp: { simulator, _, environment in
                key = try pubkey(environment)
                simulator.registry.add(.init(pubkey: key, owner: Self.owner, nodeType: "node-H100x1"))
                simulator.vmm.setOutage(true)
                started = Date()
            }
        ) { simulator, backend, port in
            #expect(eventually(within: 5) { status(port) == 503 }, "log: \(backend.log)")
            let servedAfter = Date().timeIntervalSince(started)
            #expect(servedAfter < 5, "served after \(servedAfter) s")
            #expect(!backend.log.contains("NODE_TYPE=auto is waiting for the VMM"), "log: \(backend.log)")
            #expect(backend.log.contains("Worker is now authorized to communicate with the message network"))
            let live = try BackendProcess.runToEnd(["healthcheck", "--listen-addr", "127.0.0.1:\(port)"])
            #expect(live.status == 0, "output: \(live.output)")
            #expect(live.output.contains("answered 503 Unavailable for pubkey \(key)"))
            #expect(!metrics(port).contains { $0.hasPrefix("dstack_backend_info{") })

            simulator.vmm.setOutage(false)
            #expect(eventually(within: 5) { status(port) == 200 }, "log: \(backend.log)")
            #expect(backend.waitForOutput("The registry holds another node type for this worker"), "log: \(backend.log)")
            #expect(backend.log.contains("Derived NODE_TYPE from the GPUs node_type=node-H200x8"))
            #expect(backend.log.contains("registry.node_type=node-H100x1 node_type=node-H200x8"))
            #expect(eventually(within: 3) {
                metrics(port).contains { $0.hasPrefix("dstack_backend_info{pubkey=\"\(key)\",node_type=\"node-H200x8\"") }
            })
            #expect(simulator.registry.registrationPosts == 0)
            #expect(backend.process.isRunning)
        }
    }

    /// An unregistered node does need the type: it asks the registry first, waits for the VMM saying how not to,
    /// and registers as soon as the VMM answers.
    @Test func anUnregisteredAutoNodeWaitsForTheVMMAndRegistersWhenItAnswers() throws {
        try withBackend(
            environment: Self.settings, waitForListening: nil, setUp: { simulator, _, _ in simulator.vmm.setOutage(true) }
        ) { simulator, backend, port in
            #expect(backend.waitForOutput("NODE_TYPE=auto is waiting for the VMM to answer"), "log: \(backend.log)")
            #expect(backend.log.contains("set NODE_TYPE=<type> (e.g. NODE_TYPE=node-H100x8"), "log: \(backend.log)")
            // The registry was asked before the wait: the wait is only for POST /workers.
            #expect(simulator.registry.permissionChecks >= 1)
            #expect(simulator.registry.workerLookups >= 1)
            #expect(simulator.registry.registrationPosts == 0)
            #expect(status(port) == nil)

            simulator.vmm.setOutage(false)
            #expect(backend.waitForOutput("Backend listening on 127.0.0.1:\(port)", timeout: 5), "log: \(backend.log)")
            #expect(simulator.registry.registrationPosts == 1)
            #expect(simulator.registry.registeredWorkers.first?.nodeType == "node-H200x8")
            #expect(eventually(within: 3) { status(port) == 200 })
        }
    }

    /// An unregistered node whose VMM never answers still stops when the budget ends, saying why and how not to.
    @Test func anUnregisteredAutoNodeGivesUpAfterTheBudgetNamingNodeType() throws {
        try withSimulator { simulator, directory in
            simulator.vmm.setOutage(true)
            var env = simulator.backendEnvironment(dataDirectory: directory, port: freePort()).merging(Self.settings) { $1 }
            env["REGISTRATION_TIMEOUT"] = "1s"
            let result = try BackendProcess.runToEnd([], environment: env)
            #expect(result.status == 1, "output: \(result.output)")
            #expect(result.output.contains("Worker registration failed: NODE_TYPE=auto needs one successful dstack poll"))
            #expect(result.output.contains("set NODE_TYPE=<type>"))
            #expect(result.output.contains("Cannot start service without successful registration"))
            #expect(simulator.registry.registrationPosts == 0)
        }
    }

    /// `/permissions` says AllowAll, `GET /workers/<pubkey>` answers 503: the node serves, says the owner is not
    /// compared yet, and verifies it in the background once the registry answers.
    @Test func aFailingWorkersLookupDoesNotKeepAnAuthorizedNodeOffline() throws {
        try withBackend(
            environment: Self.settings.merging(["NODE_TYPE": "node-H200x8"]) { $1 }, waitForListening: nil,
            setUp: { simulator, _, environment in
                simulator.registry.add(.init(pubkey: try pubkey(environment), owner: Self.owner, nodeType: "node-H200x8"))
                simulator.registry.failWorkerLookups(status: 503)
            }
        ) { simulator, backend, port in
            #expect(backend.waitForOutput("Backend listening on 127.0.0.1:\(port)", timeout: 5), "log: \(backend.log)")
            #expect(backend.log.contains(WorkerRegistration.ownerNotComparedMessage))
            #expect(eventually(within: 3) { status(port) == 200 })
            #expect(metrics(port).contains("dstack_backend_registry_owner_verified 0"))
            #expect(metrics(port).contains("dstack_backend_registry_authorized 1"))
            // The background comparison keeps trying (1 s, then 2 s, ...) while the registry fails.
            #expect(backend.waitForOutput("Still cannot compare the registry's owner of this worker", timeout: 5), "log: \(backend.log)")

            simulator.registry.failWorkerLookups(status: nil)
            #expect(backend.waitForOutput("Registry owner verified", timeout: 10), "log: \(backend.log)")
            #expect(eventually(within: 3) { metrics(port).contains("dstack_backend_registry_owner_verified 1") })
            #expect(backend.process.isRunning)
            #expect(simulator.registry.registrationPosts == 0)
        }
    }

    /// The same half-down registry, but its record names another owner: once the lookup answers, the node stops
    /// with 78, the rule at start.
    @Test func anotherOwnerSeenOnceTheLookupRecoversStopsWithExit78() throws {
        let other = "0x0000000000000000000000000000000000000001"
        try withBackend(
            environment: Self.settings, waitForListening: nil,
            setUp: { simulator, _, environment in
                simulator.registry.add(.init(pubkey: try pubkey(environment), owner: other, nodeType: "node-H200x8"))
                simulator.registry.failWorkerLookups(status: 502)
            }
        ) { simulator, backend, port in
            #expect(backend.waitForOutput("Backend listening on 127.0.0.1:\(port)", timeout: 5), "log: \(backend.log)")
            #expect(metrics(port).contains("dstack_backend_registry_owner_verified 0"))
            simulator.registry.failWorkerLookups(status: nil)
            let exit = backend.waitForExit(timeout: 10)
            backend.waitForEndOfOutput(timeout: 5)
            #expect(exit == 78, "log: \(backend.log)")
            #expect(backend.log.contains("Worker registration failed: the registry holds owner \(other)"))
            #expect(backend.log.contains("OWNER_ADDRESS is \(Self.owner)"))
        }
    }

    /// Whether `::1` can be bound here (containers without IPv6 have no loopback for it).
    static var hasIPv6Loopback: Bool {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        } == 0
    }

    /// `healthcheck` without `--url` asks where `LISTEN_ADDR` says the daemon listens, from the variable or the flag.
    @Test(arguments: ["127.0.0.1", "0.0.0.0", "[::]", "unix"])
    func healthcheckFollowsListenAddr(host: String) throws {
        if host == "[::]" && !Self.hasIPv6Loopback { return }
        let port = freePort()
        try withBackend(
            port: port, environment: Self.settings.merging(["NODE_TYPE": "node-H200x8"]) { $1 },
            setUp: { _, directory, environment in
                environment["LISTEN_ADDR"] = host == "unix" ? "unix:\(directory)/backend.sock" : "\(host):\(port)"
            }
        ) { simulator, backend, _ in
            let listen = try #require(backend.environment["LISTEN_ADDR"])
            let key = try #require(simulator.registry.registeredWorkers.first?.pubkey)

            let fromVariable = try BackendProcess.runToEnd(["healthcheck"], environment: ["LISTEN_ADDR": listen])
            #expect(fromVariable.status == 0, "output: \(fromVariable.output)")
            #expect(fromVariable.output.contains("for pubkey \(key)"), "output: \(fromVariable.output)")
            let expected: String
            switch host {
            case "unix": expected = "http://localhost/health via \(listen)"
            case "0.0.0.0": expected = "http://127.0.0.1:\(port)/health"
            case "[::]": expected = "http://[::1]:\(port)/health"
            default: expected = "http://\(host):\(port)/health"
            }
            #expect(fromVariable.output.contains("healthy: \(expected) answered"), "output: \(fromVariable.output)")

            let fromFlag = try BackendProcess.runToEnd(
                ["healthcheck", "--listen-addr", listen], environment: ["LISTEN_ADDR": "127.0.0.1:\(freePort())"])
            #expect(fromFlag.status == 0, "output: \(fromFlag.output)")
            #expect(fromFlag.output.contains("healthy: \(expected) answered"), "output: \(fromFlag.output)")
        }
    }

    @Test func healthcheckRefusesAListenAddrTheDaemonWouldRefuse() throws {
        let result = try BackendProcess.runToEnd(["healthcheck"], environment: ["LISTEN_ADDR": "unix:relative.sock"])
        #expect(result.status == 78, "output: \(result.output)")
        #expect(result.output.contains("LISTEN_ADDR"), "output: \(result.output)")
        let nothing = try BackendProcess.runToEnd(["healthcheck"], environment: ["LISTEN_ADDR": "127.0.0.1:\(freePort())"])
        #expect(nothing.status == 1, "output: \(nothing.output)")
    }
}
