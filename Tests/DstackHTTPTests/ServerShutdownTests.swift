import Foundation
import Testing
import DstackCore
@testable import DstackHTTP
import DstackTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// What a client with answers in flight gets when the server stops (issue 23): the grace, every byte sent,
/// then the end of the stream, never a reset.
@Suite(.serialized) struct ServerShutdownTests {
    static let request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
    /// More than a 4 KB receive buffer holds, less than any kernel's send buffer: once the server has sent one,
    /// the rest waits in its kernel's send queue and none in the server's own buffer.
    static let answerBytes = 12_000

    func server(grace: Duration) throws -> RunningServer {
        var limits = ServerLimits()
        limits.shutdownGrace = grace
        let answer = PreparedResponse(status: 200, contentType: "text/plain", body: Array(repeating: UInt8(ascii: "m"), count: Self.answerBytes))
        let health = PreparedResponse(status: 200, contentType: "application/json", text: #"{"status":"Available"}"#)
        return try RunningServer(limits: limits, handler: StubHandler(health: { health }, metrics: { answer }))
    }

    /// Splits `bytes` into whole responses; the bytes left over belong to no whole response.
    func wholeResponses(_ bytes: [UInt8]) -> (responses: [HTTPTestResponse], leftOver: Int) {
        var rest = bytes[...]
        var responses: [HTTPTestResponse] = []
        while let (response, used) = HTTPTestResponse.parse(Array(rest)) {
            responses.append(response)
            rest = rest.dropFirst(used)
        }
        return (responses, rest.count)
    }

    /// A server with `grace` told to stop (at `stopped`) once `client` has the start of the answer to one request.
    func stopWithAnAnswerInFlight(grace: Duration) throws -> (running: RunningServer, client: RawClient, stopped: ContinuousClock.Instant) {
        let running = try server(grace: grace)
        let client = try RawClient(port: running.port, timeout: 5, receiveBuffer: 4096)
        client.send(Self.request)
        // The answer is out of the server's buffer: part in ours, the rest in its kernel's send queue.
        #expect(eventually { client.peekAvailable() > 0 })
        let stopped = ContinuousClock.now
        running.stop.stop()
        return (running, client, stopped)
    }

    @Test func answersStillInTheKernelSendQueueGetTheGraceAndArriveWhole() throws {
        let (running, client, stopped) = try stopWithAnAnswerInFlight(grace: .seconds(5))
        defer { running.shutDown() }
        // Nothing is left in the server's own buffer, yet it waits: the peer has not taken the answer.
        #expect(!running.returned.wait(for: .milliseconds(500)), "the server closed a connection with an answer in flight")
        let (bytes, end) = client.readToEnd()
        #expect(end == .endOfStream)
        let (responses, leftOver) = wholeResponses(bytes)
        #expect(responses.count == 1 && responses.first?.body.utf8.count == Self.answerBytes && leftOver == 0)
        // Once the peer has taken every byte the server is done, long before the 5 s grace ends.
        #expect(running.returned.wait(for: .seconds(4)))
        #expect(stopped.duration(to: .now) < .milliseconds(4500))
    }

    @Test func aClientThatPipelinedMoreThanWasReadGetsEveryAnswerSentThenTheEndNotAReset() throws {
        let running = try server(grace: .seconds(5))
        defer { running.shutDown() }
        let client = try RawClient(port: running.port, timeout: 5, receiveBuffer: 4096)
        // ~300 KB of requests: the server stops reading them long before the end (their answers would be
        // 100 MB), so most stay unread in its kernel's receive queue, and a close would reset the connection.
        #expect(sendAll(client.fd, Array(String(repeating: Self.request, count: 8000).utf8)))
        #expect(eventually { client.peekAvailable() > 0 })
        running.stop.stop()
        let (bytes, end) = client.readToEnd()
        #expect(end == .endOfStream, "after \(bytes.count) bytes")
        let (responses, leftOver) = wholeResponses(bytes)
        #expect(!responses.isEmpty && leftOver == 0, "\(responses.count) whole answers and \(leftOver) bytes of a cut one")
        #expect(responses.allSatisfy { $0.status == 200 && $0.body.utf8.count == Self.answerBytes })
        #expect(running.returned.wait(for: .seconds(6)))
    }

    @Test func aPeerThatTakesNothingHoldsTheShutdownForTheGraceOnly() throws {
        let (running, client, stopped) = try stopWithAnAnswerInFlight(grace: .milliseconds(800))
        defer { running.shutDown() }
        #expect(running.returned.wait(for: .seconds(5)))
        let took = stopped.duration(to: .now)
        #expect(took >= .milliseconds(750) && took < .seconds(3), "shutdown took \(took) with an 800 ms grace")
        // What it had sent still arrives, then the end: the close after the grace reset nothing.
        let (bytes, end) = client.readToEnd()
        #expect(end == .endOfStream)
        #expect(wholeResponses(bytes).responses.count == 1)
    }
}
