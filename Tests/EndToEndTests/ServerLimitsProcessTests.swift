@testable import DstackBackend
@testable import DstackCore
@testable import DstackSimulator
import DstackTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's process-wide limits (issue 13): descriptors and stray signals, in a child process so the
/// test process keeps its own limits and signal dispositions.
@Suite(.serialized) struct ServerLimitsProcessTests {
    /// A connected, non-blocking TCP socket to 127.0.0.1:`port`, or -1; with `receiveBuffer`, that `SO_RCVBUF`.
    func connectTo(_ port: UInt16, receiveBuffer: Int32? = nil) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return -1
        }
        return fd
    }

    /// True while the server keeps `fd` open (nothing to read, no end of stream).
    func isOpen(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return (try? syscall(nonBlocking: true, where: "recv") { recv(fd, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK)) }) == .wouldBlock
    }

    @Test func aLowDescriptorLimitIsRaisedAndCapsConnectionsSoTheVMMPollKeepsWorking() throws {
        // Soft limit 64 under a hard limit of 128: the daemon raises the soft one to 128.
        try withBackend(
            environment: ["DSTACK_POLL_INTERVAL": "1s"],
            launcher: ["/bin/sh", "-c", #"ulimit -S -n 64 && ulimit -H -n 128 && exec "$0" "$@""#]
        ) { simulator, backend, port in
            let cap = 128 - DescriptorLimit.reserve
            #expect(backend.log.contains("max_connections=\(cap)"), "log: \(backend.log)")
            #expect(backend.log.contains("nofile.soft=128"), "log: \(backend.log)")

            // More clients than descriptors: past the cap the longest idle are closed, the poller keeps its share.
            var clients = (0..<150).map { _ in connectTo(port) }.filter { $0 >= 0 }
            defer { clients.forEach { close($0) } }
            #expect(clients.count == 150)
            // Those past the cap are closed, then two polls are made while every slot is taken.
            #expect(eventually { clients.filter(isOpen).count <= cap }, "open: \(clients.filter(isOpen).count)")
            let polls = simulator.vmm.listRequests
            #expect(eventually { simulator.vmm.listRequests >= polls + 2 }, "polls: \(simulator.vmm.listRequests - polls)")
            let open = clients.filter(isOpen)
            #expect(open.count <= cap)
            #expect(open.count >= cap - 2, "open: \(open.count)")
            // Free a few slots, then ask: the polls made while the slots were full succeeded.
            for fd in open.prefix(5) { close(fd) }
            clients.removeAll { open.prefix(5).contains($0) }
            let health = httpGet("http://127.0.0.1:\(port)/health")
            #expect(health?.status == 200, "health: \(String(describing: health)) log: \(backend.log)")
            #expect(health?.body.contains("\"status\":\"Available\"") == true)
            let metrics = httpGet("http://127.0.0.1:\(port)/metrics")?.body ?? ""
            #expect(metrics.contains("dstack_backend_http_rejected_total{reason=\"over_cap\"}"), "metrics: \(metrics)")
            #expect(!backend.log.contains("Failed to connect to dstack"), "log: \(backend.log)")
        }
    }

    @Test func healthAnswersWithinASecondWhileFortyIdleConnectionsHoldASixteenConnectionCap() throws {
        try withBackend(environment: ["DSTACK_POLL_INTERVAL": "1s", "MAX_CONNECTIONS": "16"]) { _, backend, port in
            #expect(backend.log.contains("max_connections=16"), "log: \(backend.log)")

            // 40 keep-alive clients, each served once and then idle, as a pool of HTTP clients leaves them.
            let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: idle-crowd\r\n\r\n"
            var crowd: [RawClient] = []
            for _ in 0..<40 {
                let client = try RawClient(port: port)
                client.send(request)
                #expect(client.readResponses(1).first?.status == 200, "log: \(backend.log)")
                crowd.append(client)
            }
            let started = ContinuousClock.now
            let health = httpGet("http://127.0.0.1:\(port)/health", timeout: 1)
            let elapsed = started.duration(to: .now)
            #expect(health?.status == 200, "health: \(String(describing: health)) log: \(backend.log)")
            #expect(elapsed < .seconds(1), "/health took \(elapsed) behind 40 idle connections")
            let metrics = httpGet("http://127.0.0.1:\(port)/metrics")?.body ?? ""
            let evictions = metrics.split(separator: "\n").first { $0.hasPrefix("dstack_backend_http_idle_evictions_total ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
            // 24 for the crowd past the cap, one each for the /health and /metrics requests.
            #expect((evictions ?? 0) >= 25, "metrics: \(metrics)")
            #expect(metrics.contains("dstack_backend_http_rejected_total{reason=\"over_cap\"} 0"), "metrics: \(metrics)")
            #expect(crowd.suffix(8).allSatisfy { isOpen($0.fd) }, "the newest idle clients were closed")
        }
    }

    @Test func sighupAndSigusr1AreLoggedAndIgnored() throws {
        try withBackend(
            environment: ["DSTACK_POLL_INTERVAL": "1s"],
            setUp: { _, directory, environment in environment["LISTEN_ADDR"] = "unix:\(directory)/backend.sock" }
        ) { _, backend, _ in
            let socketPath = String(try #require(backend.environment["LISTEN_ADDR"]).dropFirst("unix:".count))
            for signal in [SIGHUP, SIGUSR1, SIGUSR2] {
                backend.signal(signal)
            }
            #expect(backend.waitForOutput("signal=SIGUSR2", timeout: 3), "log: \(backend.log)")
            #expect(backend.log.contains("signal=SIGHUP"))
            #expect(backend.log.contains("signal=SIGUSR1"))
            #expect(backend.process.isRunning)
            #expect(FileManager.default.fileExists(atPath: socketPath))
            backend.signal(SIGTERM)
            #expect(backend.waitForExit(timeout: 3) == 0, "log: \(backend.log)")
            #expect(!FileManager.default.fileExists(atPath: socketPath))
        }
    }
}

extension ServerLimitsProcessTests {
    /// A client on 127.0.0.1:`port` that pipelines `/metrics` requests and reads none of the answers: it sends
    /// until its socket takes no more (the server stopped reading it, or has not caught up), then waits until
    /// answers reach it, so the server holds answers this client has not taken. -1 if either does not happen.
    ///
    /// No timing decides when it is stuck (an earlier version stopped after 1 s of refused sends, which a
    /// loaded machine reaches while the server is merely behind).
    func stuckReader(_ port: UInt16) -> Int32 {
        let fd = connectTo(port, receiveBuffer: 4096)
        guard fd >= 0 else { return -1 }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let request = Array(String(repeating: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", count: 64).utf8)
        let deadline = Date().addingTimeInterval(20)
        // `syscall` reads errno right after each send.
        sending: while Date() < deadline {
            switch try? syscall(nonBlocking: true, where: "send", { send(fd, request, request.count, Int32(MSG_NOSIGNAL)) }) {
            case .processed: continue
            case .wouldBlock: break sending
            case nil:
                close(fd)
                return -1
            }
        }
        var byte: UInt8 = 0
        let answered = eventually(within: 10) {
            (try? syscall(nonBlocking: true, where: "recv") { recv(fd, &byte, 1, Int32(MSG_PEEK)) }) == .processed(1)
        }
        guard Date() < deadline, answered else {
            close(fd)
            return -1
        }
        return fd
    }

    /// Seconds from SIGTERM to exit of a daemon with `SHUTDOWN_GRACE=grace` and one client that reads nothing.
    func shutdownSeconds(grace: String) throws -> Double? {
        try withBackend(environment: ["DSTACK_POLL_INTERVAL": "1s", "SHUTDOWN_GRACE": grace]) { _, backend, port in
            #expect(backend.log.contains("name=SHUTDOWN_GRACE value=\(grace) source=\"env SHUTDOWN_GRACE\""), "log: \(backend.log)")
            let client = stuckReader(port)
            defer { close(client) }
            #expect(client >= 0)
            let start = Date()
            backend.signal(SIGTERM)
            guard backend.waitForExit(timeout: 15) == 0 else { return nil }
            return Date().timeIntervalSince(start)
        }
    }

    /// `SHUTDOWN_GRACE` is how long the daemon waits at SIGTERM for a client that does not take its answers.
    @Test func shutdownGraceBoundsTheWaitForASlowReader() throws {
        let long = try #require(try shutdownSeconds(grace: "3s"))
        #expect(long >= 2.9, "exited \(long)s after SIGTERM with SHUTDOWN_GRACE=3s")
        #expect(long < 8)
        let short = try #require(try shutdownSeconds(grace: "0.2s"))
        #expect(short < 2, "exited \(short)s after SIGTERM with SHUTDOWN_GRACE=0.2s")
    }

    @Test func shutdownGraceLongerThanTheStopTimeoutIsRefused() throws {
        let result = try BackendProcess.runToEnd(
            [], environment: ["REGISTRY_URL": "http://r", "OWNER_ADDRESS": EndToEndTests.owner, "SHUTDOWN_GRACE": "9s"])
        #expect(result.status == 78)
        #expect(
            result.output.contains(
                "Error: SHUTDOWN_GRACE \"9s\" is longer than the maximum 8s: docker compose and the systemd unit kill"
                    + " the daemon 10s after asking it to stop; use 8s or less"), "\(result.output)")
    }
}
