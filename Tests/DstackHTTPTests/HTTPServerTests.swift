import Foundation
import Testing
import DstackCore
@testable import DstackHTTP
import DstackTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct HTTPServerTests {
    static let get = "GET /health HTTP/1.1\r\nHost: t\r\n\r\n"

    @Test func logsTheContractLineAndServesKeepAlive() throws {
        let running = try RunningServer()
        defer { running.shutDown() }
        #expect(running.sink.records.first?.message == "Backend listening on 127.0.0.1:\(running.port)")
        let client = try running.client()
        for _ in 0..<3 {
            client.send(Self.get)
            let response = try #require(client.readResponses(1).first)
            #expect(response.status == 200)
            #expect(response.body == #"{"status":"Available"}"#)
            #expect(response.headers["access-control-allow-origin"] == "*")
            #expect(response.headers["cache-control"] == "no-store")
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.headers["date"]?.hasSuffix(" GMT") == true)
            #expect(response.headers["connection"] == nil)
            #expect(response.headers["server"] == nil)
        }
    }

    @Test func answersHundredPipelinedRequestsInOrder() throws {
        let running = try RunningServer()
        defer { running.shutDown() }
        let client = try running.client()
        var batch = ""
        for index in 0..<100 {
            batch += index % 2 == 0 ? Self.get : "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
        }
        client.send(batch)
        let responses = client.readResponses(100)
        #expect(responses.count == 100)
        for (index, response) in responses.enumerated() {
            #expect(response.body == (index % 2 == 0 ? #"{"status":"Available"}"# : "DStack Backend Health Monitor"))
        }
        #expect(running.server.stats.requestCounts().first { $0.path == "/health" && $0.code == "200" }?.count == 50)
    }

    @Test func headHasHeadersButNoBody() throws {
        let running = try RunningServer()
        defer { running.shutDown() }
        let client = try running.client()
        client.send("HEAD /health HTTP/1.1\r\nHost: t\r\n\r\n" + "GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: buffer, as: UTF8.self).contains("DStack Backend Health Monitor") {
            let n = recv(client.fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            buffer += chunk[0..<n]
        }
        let (head, used) = try #require(HTTPTestResponse.parse(buffer, headOnly: true))
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == String(#"{"status":"Available"}"#.utf8.count))
        let (next, _) = try #require(HTTPTestResponse.parse(Array(buffer[used...])))
        #expect(next.body == "DStack Backend Health Monitor")
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "a", count: 9000) + "\r\n\r\n", 431, "431"),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 70000\r\n\r\n", 413, "413"),
        ("GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "400"),
        ("GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505, "505"),
        ("GET / HTTP/1.1\r\nHost: t\r\n" + String(repeating: "X: 1\r\n", count: 100) + "\r\n", 431, "431"),
        ("GET / HTTP/1.1\r\nHost: t\rX: 1\r\n\r\n", 400, "400"),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400, "400"),
    ])
    func refusalsAnswerThenClose(request: String, status: Int, reason: String) throws {
        let running = try RunningServer()
        defer { running.shutDown() }
        let client = try running.client()
        client.send(request)
        let response = try #require(client.readResponses(1).first)
        #expect(response.status == status)
        #expect(response.headers["connection"] == "close")
        #expect(client.isClosedByPeer())
        #expect(running.server.stats.rejectionCounts().first { $0.reason == reason }?.count == 1)
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() throws {
        let running = try RunningServer()
        defer { running.shutDown() }
        let keeping = try running.client()
        for _ in 0..<2 {
            keeping.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try #require(keeping.readResponses(1).first)
            #expect(response.status == 200)
            #expect(response.headers["connection"] == "keep-alive")
        }
        let closing = try running.client()
        closing.send("GET / HTTP/1.0\r\n\r\n")
        #expect(closing.readResponses(1).first?.headers["connection"] == "close")
        #expect(closing.isClosedByPeer())
        let asked = try running.client()
        asked.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(asked.readResponses(1).first?.headers["connection"] == "close")
        #expect(asked.isClosedByPeer())
    }

    @Test func closesIdleKeepAliveConnections() throws {
        var limits = ServerLimits()
        limits.idleTimeout = .milliseconds(200)
        let running = try RunningServer(limits: limits)
        defer { running.shutDown() }
        let client = try running.client()
        client.send(Self.get)
        #expect(client.readResponses(1).count == 1)
        let started = Date()
        #expect(client.isClosedByPeer())
        #expect(Date().timeIntervalSince(started) < 1.5)
    }

    @Test func slowRequestsGet408AndClose() throws {
        var limits = ServerLimits()
        limits.requestTimeout = .milliseconds(200)
        let running = try RunningServer(limits: limits)
        defer { running.shutDown() }
        let client = try running.client()
        client.send("GET /health HTTP/1.1\r\nHo")
        let response = try #require(client.readResponses(1).first)
        #expect(response.status == 408)
        #expect(client.isClosedByPeer())
        #expect(running.server.stats.rejectionCounts().first { $0.reason == "timeout" }?.count == 1)
    }

    @Test func connectionsPastTheCapAreClosedAtOnceWhenNoneIsIdle() throws {
        var limits = ServerLimits()
        limits.maxConnections = 2
        let running = try RunningServer(limits: limits)
        defer { running.shutDown() }
        let first = try running.client()
        let second = try running.client()
        first.send(Self.get)
        second.send(Self.get)
        #expect(first.readResponses(1).count == 1)
        #expect(second.readResponses(1).count == 1)
        // Both mid-request (an idle one would be closed to make room: ServerEvictionTests). On loopback the
        // bytes are in the server's receive queue when send returns, read or not: either way not idle.
        first.send("GET /health HTTP/1.1\r\n")
        second.send("GET /health HTTP/1.1\r\n")
        let third = try running.client()
        third.send(Self.get)
        #expect(third.isClosedByPeer())
        #expect(running.server.stats.rejectionCounts().first { $0.reason == "over_cap" }?.count == 1)
        // The first two still work.
        first.send("Host: t\r\n\r\n")
        #expect(first.readResponses(1).first?.status == 200)
        first.send(Self.get)
        #expect(first.readResponses(1).first?.status == 200)
        #expect(running.server.stats.idleEvictions.current == 0)
    }

    @Test func aPeerThatDoesNotReadCannotMakeUsBufferWithoutBound() throws {
        var limits = ServerLimits()
        limits.maxBufferedOutputBytes = 4096
        let running = try RunningServer(limits: limits)
        defer { running.shutDown() }
        let greedy = try RawClient(port: running.port, timeout: 0.5)
        var size: Int32 = 4096
        setsockopt(greedy.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let batch = String(repeating: Self.get, count: 500)
        for _ in 0..<40 { greedy.send(batch) }  // 20,000 requests, never read
        // The server keeps serving others promptly.
        let other = try running.client()
        let started = Date()
        other.send(Self.get)
        #expect(other.readResponses(1).first?.status == 200)
        #expect(Date().timeIntervalSince(started) < 1)
        // It answered far fewer than 20,000: it stopped reading the greedy peer's requests.
        let answered = running.server.stats.requestCounts().first { $0.path == "/health" }?.count ?? 0
        #expect(answered < 20_000)
    }

    @Test func pipelinedRequestsPastTheOutputCapAreAllAnsweredOnceTheClientReads() throws {
        var limits = ServerLimits()
        limits.maxBufferedOutputBytes = 1024
        let running = try RunningServer(limits: limits)
        defer { running.shutDown() }
        let client = try running.client()
        // ~66 KB: more than one read, answered ~1 KB at a time; the rest sits in our input buffer.
        client.send(String(repeating: Self.get, count: 2000))
        let responses = client.readResponses(2000)
        #expect(responses.count == 2000)
        #expect(responses.allSatisfy { $0.status == 200 && $0.body == #"{"status":"Available"}"# })
    }

    @Test func aHalfClosedPeerThatDoesNotReadDoesNotMakeTheLoopSpin() throws {
        var limits = ServerLimits()
        limits.maxBufferedOutputBytes = 1024
        // A Unix socket: its shutdown reaches the peer at once, even behind unread data (TCP's FIN would queue).
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/spin.sock"
        let running = try RunningServer(limits: limits, address: .unix(path: path))
        defer { running.shutDown() }
        let client = try RawClient(unixPath: path)
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(client.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // ~850 KB of answers: more than the socket buffers hold, so the server stops reading this peer.
        for _ in 0..<10 { client.send(String(repeating: Self.get, count: 500)) }
        Thread.sleep(forTimeInterval: 0.1)
        shutdown(client.fd, Int32(SHUT_WR))
        Thread.sleep(forTimeInterval: 0.1)
        let before = running.server.loopWakeups.current
        Thread.sleep(forTimeInterval: 0.3)
        // Idle, the loop wakes about once per sweep tick (at most a few times in 0.3 s), not thousands.
        #expect(running.server.loopWakeups.current - before < 20)
    }

    @Test func shutdownWithAConnectedClientReturnsPromptly() throws {
        let running = try RunningServer()
        let client = try running.client()
        client.send(Self.get)
        #expect(client.readResponses(1).count == 1)
        let started = Date()
        running.shutDown()
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(client.isClosedByPeer())
        // It no longer accepts: a new client is refused rather than left waiting in the backlog.
        #expect(throws: SystemTestError.self) { _ = try running.client() }
    }

    @Test func servesOnAUnixSocketAndRemovesItAtShutdown() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/backend.sock"
        let running = try RunningServer(address: .unix(path: path))
        let client = try RawClient(unixPath: path)
        client.send(Self.get)
        #expect(client.readResponses(1).first?.status == 200)
        running.shutDown()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func refusesToReplaceAFileThatIsNotASocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/not-a-socket"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("keep".utf8)))
        #expect(throws: ListenError.self) {
            _ = try HTTPServer(address: .unix(path: path), handler: StubHandler(), logger: .silent)
        }
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
    }

    @Test func aPortInUseIsAClearError() throws {
        let running = try RunningServer()
        defer { running.shutDown() }
        let error = #expect(throws: ListenError.self) {
            _ = try HTTPServer(address: .inet(host: "127.0.0.1", port: running.port), handler: StubHandler(), logger: .silent)
        }
        #expect(error?.description.contains("in use") == true)
    }

    @Test func servesIPv6LoopbackWhenAvailable() throws {
        let probe = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { return }  // no IPv6 in this sandbox: nothing to test
        close(probe)
        guard let running = try? RunningServer(address: .inet(host: "::1", port: 0)) else { return }
        defer { running.shutDown() }
        let client = try RawClient(port: running.port, host: "::1")
        client.send(Self.get)
        #expect(client.readResponses(1).first?.status == 200)
    }
}
