import CLinux
@testable import DstackCore
import Foundation
import Testing
@testable import DstackHTTP
import DstackTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Issue 23: a crowd of idle keep-alive connections at the connection cap must not lock `/health` out. At the
/// cap the longest-idle connection with nothing in progress is closed to admit the new one; one mid-request
/// or mid-answer never is.
@Suite(.serialized) struct ServerEvictionTests {
    static let health = "GET /health HTTP/1.1\r\nHost: t\r\n\r\n"

    func overCap(_ running: RunningServer) -> Int? {
        running.server.stats.rejectionCounts().first { $0.reason == "over_cap" }?.count
    }

    /// A client that asked for /health once, got it, and now sits idle on its keep-alive connection.
    func idleClient(_ running: RunningServer) throws -> RawClient {
        let client = try running.client()
        client.send(Self.health)
        #expect(client.readResponses(1).first?.status == 200, "a client of the crowd was not served")
        return client
    }

    @Test func healthIsAnsweredWithinASecondWhileFortyIdleConnectionsHoldASixteenConnectionCap() throws {
        var limits = ServerLimits()
        limits.maxConnections = 16
        let running = try RunningServer(limits: limits)
        defer { running.shutDown() }
        // One after another, so each is idle longer than the next.
        let crowd = try (0..<40).map { _ in try idleClient(running) }
        #expect(running.server.stats.idleEvictions.current == 40 - 16)

        let started = ContinuousClock.now
        let probe = try RawClient(port: running.port, timeout: 1)
        probe.send(Self.health)
        let answer = probe.readResponses(1).first
        let elapsed = started.duration(to: .now)
        #expect(answer?.status == 200)
        #expect(elapsed < .seconds(1), "/health took \(elapsed) behind an idle crowd")
        #expect(running.server.stats.idleEvictions.current == 40 - 16 + 1)
        #expect(overCap(running) == 0)
        // The longest idle went first: the 25 oldest are closed, the 15 newest are still served.
        for (index, client) in crowd.prefix(25).enumerated() {
            #expect(client.isClosedByPeer(), "crowd client \(index) is still open")
        }
        for (index, client) in crowd.suffix(15).enumerated() {
            client.send(Self.health)
            #expect(client.readResponses(1).first?.status == 200, "crowd client \(25 + index) was closed")
        }
        #expect(running.sink.records.allSatisfy { $0.level != .error && $0.level != .warn })
    }

    @Test func connectionsMidRequestOrMidAnswerAreNeverEvicted() throws {
        // Large answers, so a client that reads none leaves them queued in the server and its kernel.
        let large = PreparedResponse(
            status: 200, contentType: "application/json", text: "{\"pad\":\"" + String(repeating: "x", count: 1000) + "\"}")
        var limits = ServerLimits()
        limits.maxConnections = 3
        let running = try RunningServer(limits: limits, handler: StubHandler(health: { large }))
        defer { running.shutDown() }

        // Mid-request: half a head.
        let partial = try running.client()
        partial.send("GET /health HTTP/1.1\r\n")
        // Mid-answer: 60 pipelined requests (about 66 KB of answers, far more than its 4 KiB receive buffer
        // holds), none read yet: what the server's buffer does not hold, its kernel does.
        let reader = try running.client()
        var size: Int32 = 4096
        setsockopt(reader.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        reader.send(String(repeating: Self.health, count: 60))
        // Idle: the only one that may go.
        let idle = try idleClient(running)

        let newcomer = try running.client()
        newcomer.send(Self.health)
        #expect(newcomer.readResponses(1).first?.status == 200)
        #expect(idle.isClosedByPeer())
        #expect(running.server.stats.idleEvictions.current == 1)

        // Now the newcomer is mid-request too: nothing is idle, so the next client is refused as before.
        newcomer.send("GET /health HTTP/1.1\r\n")
        let refused = try running.client()
        refused.send(Self.health)
        #expect(refused.isClosedByPeer())
        #expect(overCap(running) == 1)
        #expect(running.server.stats.idleEvictions.current == 1)

        // Every connection in progress was kept, with all its answers.
        let answers = reader.readResponses(60)
        #expect(answers.count == 60)
        #expect(answers.allSatisfy { $0.status == 200 && $0.body.count == large.body.count })
        reader.send(Self.health)
        #expect(reader.readResponses(1).first?.status == 200)
        partial.send("Host: t\r\n\r\n")
        #expect(partial.readResponses(1).first?.status == 200)
        newcomer.send("Host: t\r\n\r\n")
        #expect(newcomer.readResponses(1).first?.status == 200)
    }

    @Test func theKernelsQueuesKeepAConnectionFromBeingEvicted() throws {
        let (client, server) = try Self.loopbackPair()
        defer {
            close(client)
            close(server)
        }
        let connection = Connection(fd: server, now: .now)
        #expect(connection.isIdle && connection.isQuietInTheKernel == true)

        // Received, not yet read: closing would reset the connection and drop the request.
        sendAll(client, Array(Self.health.utf8))
        #expect(eventually(within: 2) { clinux_unread_bytes(server) > 0 })
        #expect(connection.isQuietInTheKernel == false)
        var buffer = [UInt8](repeating: 0, count: 65536)
        let read = try retryingEINTR("recv") { recv(server, &buffer, buffer.count, 0) }
        #expect(read == Self.health.utf8.count)
        #expect(connection.isQuietInTheKernel == true)

        // Answer bytes the peer has not taken (its window is full): the user-space buffer is empty, the
        // kernel still holds them.
        var small: Int32 = 4096
        setsockopt(client, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(server, F_SETFL, fcntl(server, F_GETFL) | O_NONBLOCK)
        // 64 KiB, far more than the peer's 4 KiB receive buffer holds.
        let chunk = [UInt8](repeating: 120, count: 16384)
        var written = 0
        while written < 65536, case .processed(let n) = try syscall(nonBlocking: true, where: "send", {
            chunk.withUnsafeBytes { send(server, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }) {
            written += n
        }
        #expect(written > 16384)
        #expect(connection.isIdle)
        #expect(connection.isQuietInTheKernel == false)
        // Once the peer takes everything, nothing holds it.
        var taken = 0
        let drained = eventually(within: 5) {
            while case .processed(let n)? = try? syscall(nonBlocking: true, where: "recv", {
                recv(client, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            }), n > 0 {
                taken += n
            }
            return taken == written && connection.isQuietInTheKernel == true
        }
        #expect(drained, "taken \(taken) of \(written)")
        // A descriptor the kernel cannot be asked about: neither (eviction skips it, shutdown closes it at once).
        #expect(Connection(fd: -1, now: .now).isQuietInTheKernel == nil)
    }

    /// A connected TCP pair on 127.0.0.1: (client, the server's accepted end).
    static func loopbackPair() throws -> (Int32, Int32) {
        let listener = try retryingEINTR("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { (pointer) throws(SystemError) in
                try retryingEINTR("bind") { bind(listener, pointer, length) }
                try retryingEINTR("listen") { listen(listener, 1) }
                try retryingEINTR("getsockname") { getsockname(listener, pointer, &length) }
            }
        }
        let client = try retryingEINTR("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { (pointer) throws(SystemError) in
                _ = try retryingEINTR("connect") { connect(client, pointer, length) }
            }
        }
        let server = try retryingEINTR("accept") { accept(listener, nil, nil) }
        return (client, server)
    }
}
