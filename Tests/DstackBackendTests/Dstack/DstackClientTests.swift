import Foundation
import Testing
@testable import DstackBackend

@Suite struct DstackClientTests {
    static let oneGPU = #"{"gpus":[{"slot":"18:00.0","product_id":"10de:2335","description":"NVIDIA Corporation GH100 [H200 SXM 141GB]","is_free":true}],"allow_attach_all":true}"#

    static func eight() -> String {
        let items = (0..<8).map { #"{"slot":"\#($0):00.0","product_id":"10de:2335","description":"H200","is_free":\#($0 % 2 == 0)}"# }
        return #"{"gpus":[\#(items.joined(separator: ","))],"allow_attach_all":false}"#
    }

    func client(_ server: FakeHTTPServer, token: String? = nil, timeout: Double = 2) throws -> DstackClient {
        let endpoint: DstackEndpoint =
            if let path = server.socketPath { .unixSocket(path: path) } else { try DstackEndpoint.parse(server.baseURL) }
        return DstackClient(
            endpoint: endpoint, token: token,
            http: HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: 1, totalTimeout: timeout)))
    }

    @Test(arguments: [false, true])
    func decodesOneEightAndZeroGPUsOverTCPAndUnixSockets(overSocket: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (body, count, free, attach) in [(Self.oneGPU, 1, 1, true), (Self.eight(), 8, 4, false), (#"{"gpus":[],"allow_attach_all":true}"#, 0, 0, true)] {
            let server = try FakeHTTPServer(unixPath: overSocket ? directory.path + "/vmm.sock" : nil) { _ in .json(200, body) }
            defer { server.stop() }
            let list = try client(server).listGPUs()
            #expect(list.gpus.count == count)
            #expect(list.freeCount == free)
            #expect(list.allowAttachAll == attach)
            #expect(server.requests.first?.target == "/prpc/ListGpus?json")
        }
    }

    @Test func toleratesMissingAllowAttachAllAndUnknownFields() throws {
        let body = #"{"gpus":[{"slot":"a","product_id":"b","description":"c","is_free":false,"vendor":"x","numa":1}],"extra":{"nested":[1,2]}}"#
        let list = try GPUList.decode(Array(body.utf8))
        #expect(list.allowAttachAll == false)
        #expect(list.gpus == [GPU(slot: "a", productID: "b", description: "c", isFree: false)])
    }

    @Test func namesTheFieldThatIsWrong() {
        let cases = [
            (#"{"gpus":[{"slot":"a","product_id":"b","description":"c","is_free":true},{"slot":"a","product_id":"b","description":"c","is_free":"yes"}]}"#, "gpus[1].is_free must be a boolean, got a string"),
            (#"{"gpus":[{"product_id":"b","description":"c","is_free":true}]}"#, "gpus[0].slot is missing"),
            (#"{"gpus":[{"slot":1,"product_id":"b","description":"c","is_free":true}]}"#, "gpus[0].slot must be a string, got a number"),
            (#"{"gpus":{}}"#, "gpus must be an array, got an object"),
            (#"{"allow_attach_all":true}"#, "no \"gpus\" field"),
            (#"[1]"#, "must be a JSON object"),
            (#"{"gpus":["#, "not valid JSON"),
            ("garbage", "not valid JSON"),
        ]
        for (body, expected) in cases {
            let error = #expect(throws: DstackError.self) { try GPUList.decode(Array(body.utf8)) }
            #expect(error?.description.contains(expected) == true, "\(body) -> \(String(describing: error))")
        }
    }

    @Test func theVMMsErrorBodyBecomesTheReason() throws {
        let server = try FakeHTTPServer { _ in .json(400, "{\n  \"error\": \"gpu discovery failed\"\n}") }
        defer { server.stop() }
        let error = #expect(throws: DstackError.self) { try client(server).listGPUs() }
        #expect(error == .status(code: 400, message: "gpu discovery failed"))
    }

    @Test func unauthorizedAsksForAToken() throws {
        let server = try FakeHTTPServer { request in
            request.header("authorization") == "Bearer s3cret" ? .json(200, Self.oneGPU) : .respond(status: 401)
        }
        defer { server.stop() }
        let error = #expect(throws: DstackError.self) { try client(server).listGPUs() }
        #expect(error?.description.contains("set DSTACK_TOKEN") == true)
        #expect(try client(server, token: "s3cret").listGPUs().gpus.count == 1)
    }

    @Test func serverErrorQuotesTheStatus() throws {
        let server = try FakeHTTPServer { _ in .respond(status: 500, body: Array("boom".utf8)) }
        defer { server.stop() }
        let error = #expect(throws: DstackError.self) { try client(server).listGPUs() }
        #expect(error == .status(code: 500, message: "boom"))
    }

    @Test func aVMMThatNeverAnswersTimesOut() throws {
        let server = try FakeHTTPServer { _ in .hang }
        defer { server.stop() }
        let started = Date()
        let error = #expect(throws: DstackError.self) { try client(server, timeout: 0.3).listGPUs() }
        guard case .transport(let transport) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(transport.kind == .timeout)
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func refusesATwoMebibyteBody() throws {
        let big = #"{"gpus":[],"pad":""# + String(repeating: "x", count: 2 << 20) + #""}"#
        let server = try FakeHTTPServer { _ in .json(200, big) }
        defer { server.stop() }
        let error = #expect(throws: DstackError.self) { try client(server).listGPUs() }
        #expect(error?.description.contains("response too large") == true)
    }

    @Test func fallsBackToTheTeepodPathAndRemembersIt() throws {
        let server = try FakeHTTPServer { request in
            request.target.hasPrefix("/prpc/Teepod.ListGpus") ? .json(200, Self.oneGPU) : .json(404, #"{"error":"no such method"}"#)
        }
        defer { server.stop() }
        let client = try client(server)
        #expect(try client.listGPUs().gpus.count == 1)
        #expect(client.usesTeepodPath)
        #expect(try client.listGPUs().gpus.count == 1)
        #expect(server.requests.map(\.target) == ["/prpc/ListGpus?json", "/prpc/Teepod.ListGpus?json", "/prpc/Teepod.ListGpus?json"])
    }

    @Test func missingSocketFileSaysWhichPath() throws {
        let client = DstackClient(endpoint: .unixSocket(path: "/nonexistent/dstack/vmm.sock"), token: nil, http: HTTPClient())
        let error = #expect(throws: DstackError.self) { try client.listGPUs() }
        #expect(error?.description.contains("/nonexistent/dstack/vmm.sock") == true)
    }
}

@Suite struct DstackPollerTests {
    func poller(_ server: FakeHTTPServer, sink: CollectingSink, interval: Double = 5) throws -> (DstackPoller, HealthPublisher) {
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: interval)
        let client = DstackClient(
            endpoint: try DstackEndpoint.parse(server.baseURL), token: nil,
            http: HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: 1, totalTimeout: 0.3)))
        return (DstackPoller(client: client, interval: interval, publisher: publisher, logger: Logger(level: .debug, sink: sink)), publisher)
    }

    @Test func identicalPollsLogOnceAndChangesLogAgain() throws {
        let state = FakeState()
        let server = try FakeHTTPServer { _ in state.reply() }
        defer { server.stop() }
        let sink = CollectingSink()
        let (poller, publisher) = try poller(server, sink: sink)
        for _ in 0..<5 { poller.pollOnce() }
        #expect(sink.records(withMessage: "dstack answered").count == 1)
        #expect(publisher.current().status == 200)
        state.set(.json(400, #"{"error":"down"}"#))
        for _ in 0..<5 { poller.pollOnce() }
        let failures = sink.records.filter { $0.message.hasPrefix("Failed to connect to dstack: ") }
        #expect(failures.count == 1)
        #expect(failures.first?.message == "Failed to connect to dstack: the VMM answered HTTP 400: down")
        #expect(publisher.current().status == 503)
        state.set(.json(400, #"{"error":"still down, differently"}"#))
        poller.pollOnce()
        #expect(sink.records.filter { $0.message.hasPrefix("Failed to connect to dstack: ") }.count == 2)
        state.set(.json(200, DstackClientTests.oneGPU))
        poller.pollOnce()
        poller.pollOnce()
        #expect(sink.records(withMessage: "dstack is available again").count == 1)
        state.set(.json(200, DstackClientTests.eight()))
        poller.pollOnce()
        #expect(sink.records(withMessage: "GPU set changed").count == 1)
        #expect(sink.records.count == 5)
    }

    @Test func aHungVMMTurnsTheSnapshotUnavailableWithinTheTimeout() throws {
        let server = try FakeHTTPServer { _ in .hang }
        defer { server.stop() }
        let (poller, publisher) = try poller(server, sink: CollectingSink())
        let started = Date()
        let outcome = poller.pollOnce()
        #expect(Date().timeIntervalSince(started) < 2)
        guard case .unavailable(let reason) = outcome else {
            Issue.record("a hung VMM was reported available")
            return
        }
        #expect(reason.contains("timed out"))
        #expect(publisher.current().status == 503)
    }

    @Test func runPollsUntilStoppedAndReportsEachPoll() throws {
        let server = try FakeHTTPServer { _ in .json(200, DstackClientTests.oneGPU) }
        defer { server.stop() }
        let (poller, _) = try poller(server, sink: CollectingSink(), interval: 0.02)
        let counter = PollCounter()
        poller.onPoll = { _, seconds in counter.add(seconds) }
        let stop = StopSignal()
        let thread = BackgroundThread(name: "test-poller") { poller.run(until: stop) }
        Thread.sleep(forTimeInterval: 0.3)
        stop.stop()
        thread.join()
        #expect(counter.count >= 3)
    }
}

final class FakeState: @unchecked Sendable {
    private let lock = NSLock()
    private var current: FakeReply = .json(200, DstackClientTests.oneGPU)

    func set(_ reply: FakeReply) {
        lock.lock()
        current = reply
        lock.unlock()
    }

    func reply() -> FakeReply {
        lock.lock()
        defer { lock.unlock() }
        return current
    }
}

final class PollCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var polls = 0

    func add(_ seconds: Double) {
        lock.lock()
        polls += 1
        lock.unlock()
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return polls
    }
}
