import Foundation
import Synchronization
import Testing
import DstackCore
@testable import DstackHTTP
import DstackTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The server under abuse (issue 13): fairness between connections, slow readers, 100-continue, buffers.
@Suite(.serialized) struct ServerAbuseTests {
    static let health = "GET /health HTTP/1.1\r\nHost: t\r\n\r\n"
    static let metrics = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"

    /// Counts `/metrics` answers and notes how many there had been when `/health` was last answered.
    final class FloodCounter: Sendable {
        let metricsServed = Counter()
        let metricsAtLastHealth = Atomic<Int>(-1)
        let healthResponse = PreparedResponse(status: 200, contentType: "application/json", text: #"{"status":"Available"}"#)
        let metricsResponse = PreparedResponse(status: 200, contentType: "text/plain", text: String(repeating: "m 1\n", count: 8))

        var routes: StubHandler {
            StubHandler(
                health: { [self] in
                    metricsAtLastHealth.store(metricsServed.current, ordering: .relaxed)
                    return healthResponse
                },
                metrics: { [self] in
                    metricsServed.increment()
                    return metricsResponse
                })
        }
    }

    /// A client that pipelines `requests` copies of `request` from one thread and reads every answer from another.
    final class Flooder: @unchecked Sendable {
        let client: RawClient
        let done = DispatchSemaphore(value: 0)
        let stopped = StopSignal()

        init(port: UInt16, request: String, requests: Int) throws {
            client = try RawClient(port: port, timeout: 0.2)
            let fd = client.fd
            let stopped = stopped
            let done = done
            Thread.detachNewThread {
                let batch = Array(String(repeating: request, count: 100).utf8)
                var sent = 0
                while sent < requests && !stopped.isStopped {
                    var offset = 0
                    // SO_SNDTIMEO: a send that times out is retried until the test ends.
                    while offset < batch.count && !stopped.isStopped {
                        let sent = try? syscall(nonBlocking: true, where: "send") {
                            batch.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, batch.count - offset, Int32(MSG_NOSIGNAL)) }
                        }
                        guard let sent else { return }
                        if case .processed(let count) = sent { offset += count }
                    }
                    sent += 100
                }
            }
            Thread.detachNewThread {
                var chunk = [UInt8](repeating: 0, count: 65536)
                while !stopped.isStopped {
                    let received = try? syscall(nonBlocking: true, where: "recv") { recv(fd, &chunk, chunk.count, 0) }
                    if received == nil || received == .processed(0) { break }
                }
                done.signal()
            }
        }

        func stop() {
            stopped.stop()
            _ = done.wait(timeout: .now() + 2)
        }
    }

    @Test func healthIsAnsweredPromptlyWhileFloodersPipelineMetrics() throws {
        let counter = FloodCounter()
        let running = try RunningServer(handler: counter.routes)
        defer { running.shutDown() }
        let flooders = try (0..<4).map { _ in try Flooder(port: running.port, request: Self.metrics, requests: 40_000) }
        defer { flooders.forEach { $0.stop() } }
        // Wait until the flood is under way.
        _ = eventually(within: 4) { counter.metricsServed.current >= 5_000 }
        #expect(counter.metricsServed.current >= 5_000)

        let prober = try running.client()
        var worst = 0
        for _ in 0..<5 {
            let before = counter.metricsServed.current
            prober.send(Self.health)
            let response = try #require(prober.readResponses(1).first)
            #expect(response.status == 200)
            worst = max(worst, counter.metricsAtLastHealth.load(ordering: .relaxed) - before)
        }
        // Each flooder gets a turn of at most `requestsPerTurn` answers before /health is read and answered:
        // a few turns' worth, not whole 64 KiB reads (about 1,800 requests each).
        let bound = 4 * HTTPServer.requestsPerTurn * 3
        #expect(worst < bound, "/metrics answers served between sending /health and answering it: \(worst)")
        #expect(counter.metricsServed.current < 160_000, "the flood ended before the probes: the test proved nothing")
    }

    @Test func requestsLeftInTheInputAreAnsweredWithoutNewBytes() throws {
        let running = try RunningServer()
        defer { running.shutDown() }
        let client = try running.client()
        // One send of 1,000 requests (far more than one turn's budget), then silence: every one is answered.
        client.send(String(repeating: Self.health, count: 1000))
        let responses = client.readResponses(1000)
        #expect(responses.count == 1000)
        #expect(responses.allSatisfy { $0.status == 200 })
    }

    @Test func aSlowButSteadyReaderIsNotCutOff() throws {
        var limits = ServerLimits()
        // Long against the reader's 10 ms pace, so a loaded machine that leaves the reader unscheduled for a
        // moment does not look like a peer taking nothing; far shorter than the ~4 s the reading takes.
        limits.idleTimeout = .seconds(1)
        let big = PreparedResponse(status: 200, contentType: "text/plain", body: [UInt8](repeating: 109, count: 16_000))
        let running = try RunningServer(limits: limits, handler: StubHandler(health: { StubHandler.root }, metrics: { big }))
        defer { running.shutDown() }
        let client = try RawClient(port: running.port, timeout: 2)
        // ~6.4 MB of answers, more than the kernel's buffers and ours hold, read at about 1.6 MB/s: bytes
        // move all the time, though the socket may not turn writable again within an idle timeout.
        let count = 400
        client.send(String(repeating: Self.metrics, count: count))
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16384)
        var received = 0
        let deadline = Date().addingTimeInterval(30)
        var failure: String?
        while received < count && Date() < deadline {
            let n: Int
            do {
                n = try retryingEINTR("recv") { recv(client.fd, &chunk, chunk.count, 0) }
            } catch {
                failure = "\(error)"
                break
            }
            if n == 0 { failure = "closed by the server"; break }
            buffer += chunk[0..<n]
            while let (_, used) = HTTPTestResponse.parse(buffer) {
                buffer.removeFirst(used)
                received += 1
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(failure == nil, "after \(received) of \(count) answers")
        #expect(received == count)
        #expect(running.server.stats.rejectionCounts().first { $0.reason == "timeout" }?.count == 0)
    }

    @Test func aReaderThatStopsIsStillClosedAfterTheIdleTimeout() throws {
        var limits = ServerLimits()
        limits.idleTimeout = .milliseconds(300)
        let running = try RunningServer(limits: limits)
        defer { running.shutDown() }
        let client = try RawClient(port: running.port, timeout: 0.5)
        var size: Int32 = 4096
        setsockopt(client.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        // More answers than the socket buffers hold, never read.
        client.send(String(repeating: Self.health, count: 3000))
        var closed = false
        for _ in 0..<100 where !closed {
            Thread.sleep(forTimeInterval: 0.05)
            closed = running.server.stats.openConnections.current == 0
        }
        #expect(closed)
        #expect((running.server.stats.rejectionCounts().first { $0.reason == "timeout" }?.count ?? 0) == 1)
    }

    @Test func expectContinueIsAnsweredFromTheHeadAtOnce() throws {
        let running = try RunningServer()
        defer { running.shutDown() }
        let client = try RawClient(port: running.port, timeout: 0.5)
        client.send("POST /health HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        // Within the 0.5 s receive timeout, long before curl's 1 s wait would end.
        let interim = try #require(client.readResponses(1).first, "no 100 Continue")
        #expect(interim.status == 100)
        client.send("hello")
        let final = try #require(client.readResponses(1).first)
        #expect(final.status == 405)
        // The connection goes on, and a request without a body gets no 100.
        client.send("GET /health HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n")
        #expect(client.readResponses(1).first?.status == 200)
    }

    @Test func http10ClientsGetNo100Continue() throws {
        let running = try RunningServer()
        defer { running.shutDown() }
        let client = try RawClient(port: running.port, timeout: 0.3)
        client.send("POST /health HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        #expect(client.readResponses(1).isEmpty)
        client.send("ok")
        #expect(client.readResponses(1).first?.status == 405)
    }

    @Test func buffersAboveTheRetainedSizeAreReleasedOnceDrained() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { fds.forEach { close($0) } }
        let connection = Connection(fd: fds[0], now: .now)
        // A large request, consumed.
        connection.input.append(contentsOf: [UInt8](repeating: 65, count: 60_000))
        connection.inputStart = connection.input.count
        connection.compactInput()
        #expect(connection.input.isEmpty)
        #expect(connection.input.capacity <= Connection.retainedCapacity)
        // A large response, sent.
        let big = PreparedResponse(status: 200, contentType: "text/plain", body: [UInt8](repeating: 66, count: 50_000))
        connection.append(big, date: Array("Date: x\r\n\r\n".utf8), connectionHeader: nil, includeBody: true)
        #expect(connection.output.capacity > 50_000)
        var drained = 0
        var sink = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<100 where connection.pendingOutput > 0 {
            #expect(connection.flush())
            let n = recv(fds[1], &sink, sink.count, Int32(MSG_DONTWAIT))
            if n > 0 { drained += n }
        }
        #expect(connection.pendingOutput == 0)
        #expect(connection.output.capacity <= Connection.retainedCapacity)
        // Small buffers are kept: the common request allocates nothing.
        connection.append(StubHandler.root, date: Array("Date: x\r\n\r\n".utf8), connectionHeader: nil, includeBody: true)
        #expect(connection.flush())
        let kept = connection.output.capacity
        #expect(kept > 0 && kept <= Connection.retainedCapacity)
        connection.append(StubHandler.root, date: Array("Date: x\r\n\r\n".utf8), connectionHeader: nil, includeBody: true)
        #expect(connection.output.capacity == kept)
    }
}
