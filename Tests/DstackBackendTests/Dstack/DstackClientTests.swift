import Foundation
import Synchronization
import Testing
@testable import DstackBackend
import DstackTestSupport
@testable import DstackSimulator

/// A fake VMM on a loopback port or, with `overSocket`, on a Unix socket in a fresh directory.
final class FakeVMM: Sendable {
    let server: FakeHTTPServer
    private let directory: TemporaryDirectory?

    init(overSocket: Bool, handler: @escaping @Sendable (RecordedRequest) -> FakeReply) throws {
        let directory = overSocket ? try TemporaryDirectory() : nil
        self.directory = directory
        server = try FakeHTTPServer(unixPath: directory.map { $0.path + "/vmm.sock" }, handler: handler)
    }

    var endpoint: DstackEndpoint {
        get throws {
            if let path = server.socketPath { return .unixSocket(path: path) }
            return try DstackEndpoint.parse(server.baseURL)
        }
    }

    func client(token: String? = nil, timeout: Double = 2) throws -> DstackClient {
        DstackClient(
            endpoint: try endpoint, token: token,
            http: HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: .seconds(timeout))))
    }

    var targets: [String] { server.requests.map(\.target) }

    func stop() {
        server.stop()
        directory?.remove()
    }
}

@Suite struct DstackClientTests {
    static let oneGPU = #"{"gpus":[{"slot":"18:00.0","product_id":"10de:2335","description":"NVIDIA Corporation GH100 [H200 SXM 141GB]","is_free":true}],"allow_attach_all":true}"#

    static func eight() -> String {
        let items = (0..<8).map { #"{"slot":"\#($0):00.0","product_id":"10de:2335","description":"H200","is_free":\#($0 % 2 == 0)}"# }
        return #"{"gpus":[\#(items.joined(separator: ","))],"allow_attach_all":false}"#
    }

    /// Runs `body` against a fake VMM answering with `handler`, over TCP or a Unix socket.
    func withVMM<T>(
        overSocket: Bool, _ handler: @escaping @Sendable (RecordedRequest) -> FakeReply, _ body: (FakeVMM) throws -> T
    ) throws -> T {
        let vmm = try FakeVMM(overSocket: overSocket, handler: handler)
        defer { vmm.stop() }
        return try body(vmm)
    }

    @Test(arguments: [false, true])
    func decodesOneEightAndZeroGPUs(overSocket: Bool) throws {
        let cases = [
            (Self.oneGPU, [DstackClientTests.h200], true), (#"{"gpus":[],"allow_attach_all":true}"#, [], true),
        ]
        for (body, gpus, attach) in cases {
            let list = try withVMM(overSocket: overSocket, { _ in .json(200, body) }) { vmm in
                defer { #expect(vmm.targets == ["/prpc/ListGpus?json"]) }
                return try vmm.client().listGPUs()
            }
            #expect(list == GPUList(gpus: gpus, allowAttachAll: attach))
        }
        let eight = try withVMM(overSocket: overSocket, { _ in .json(200, Self.eight()) }) { try $0.client().listGPUs() }
        #expect(eight.gpus.count == 8)
        #expect(eight.freeCount == 4)
        #expect(eight.allowAttachAll == false)
        #expect(eight.gpus[3] == GPU(slot: "3:00.0", productID: "10de:2335", description: "H200", isFree: false))
    }

    static let h200 = GPU(
        slot: "18:00.0", productID: "10de:2335", description: "NVIDIA Corporation GH100 [H200 SXM 141GB]", isFree: true)

    @Test(arguments: [false, true])
    func sendsTheRequestTheVMMExpects(overSocket: Bool) throws {
        let request = try withVMM(overSocket: overSocket, { _ in .json(200, Self.oneGPU) }) { vmm in
            _ = try vmm.client(token: "s3cret").listGPUs()
            return vmm.server.requests.first
        }
        #expect(request?.method == "GET")
        #expect(request?.target == "/prpc/ListGpus?json")
        #expect(request?.header("authorization") == "Bearer s3cret")
        // Over a socket the URL is http://localhost/..., as `curl --unix-socket` sends it.
        #expect(request?.header("host") == (overSocket ? "localhost" : request?.header("host")))
    }

    @Test(arguments: [false, true])
    func toleratesMissingAllowAttachAllAndUnknownFields(overSocket: Bool) throws {
        let body = #"{"gpus":[{"slot":"a","product_id":"b","description":"c","is_free":false,"vendor":"x","numa":1,"iommu":{"group":[7]}}],"extra":{"nested":[1,2]},"version":null}"#
        let list = try withVMM(overSocket: overSocket, { _ in .json(200, body) }) { try $0.client().listGPUs() }
        #expect(list.allowAttachAll == false)
        #expect(list.gpus == [GPU(slot: "a", productID: "b", description: "c", isFree: false)])
    }

    @Test func namesTheFieldThatIsWrong() {
        let cases = [
            (#"{"gpus":[{"slot":"a","product_id":"b","description":"c","is_free":true},{"slot":"a","product_id":"b","description":"c","is_free":true},{"slot":"a","product_id":"b","description":"c","is_free":"yes"}]}"#, "gpus[2].is_free must be a boolean, got a string"),
            (#"{"gpus":[{"product_id":"b","description":"c","is_free":true}]}"#, "gpus[0].slot is missing"),
            (#"{"gpus":[{"slot":1,"product_id":"b","description":"c","is_free":true}]}"#, "gpus[0].slot must be a string, got a number"),
            (#"{"gpus":[{"slot":"a","product_id":null,"description":"c","is_free":true}]}"#, "gpus[0].product_id must be a string, got null"),
            (#"{"gpus":[{"slot":"a","product_id":"b","is_free":true}]}"#, "gpus[0].description is missing"),
            (#"{"gpus":[{"slot":"a","product_id":"b","description":"c"}]}"#, "gpus[0].is_free is missing"),
            (#"{"gpus":[7]}"#, "gpus[0] must be an object, got a number"),
            (#"{"gpus":{}}"#, "gpus must be an array, got an object"),
            (#"{"gpus":[],"allow_attach_all":"yes"}"#, "allow_attach_all must be a boolean, got a string"),
            (#"{"allow_attach_all":true}"#, "no \"gpus\" field"),
            (#"[1]"#, "must be a JSON object"),
        ]
        for (body, expected) in cases {
            let error = #expect(throws: DstackError.self) { try GPUList.decode(Array(body.utf8)) }
            #expect(error?.description.contains(expected) == true, "\(body) -> \(String(describing: error))")
        }
    }

    @Test(arguments: [false, true])
    func garbageAndTruncatedJSONAreRefused(overSocket: Bool) throws {
        for body in ["garbage", #"{"gpus":[{"slot":"18:00.0","product_id":"10de:23"#, "", "{\"gpus\":[]} trailing"] {
            let error = try withVMM(overSocket: overSocket, { _ in .json(200, body) }) { vmm in
                #expect(throws: DstackError.self) { try vmm.client().listGPUs() }
            }
            #expect(error?.description.contains("not valid JSON") == true, "\(body) -> \(String(describing: error))")
        }
    }

    @Test(arguments: [false, true])
    func theVMMsErrorBodyBecomesTheReason(overSocket: Bool) throws {
        let error = try withVMM(overSocket: overSocket, { _ in .json(400, "{\n  \"error\": \"gpu discovery failed\"\n}") }) { vmm in
            #expect(throws: DstackError.self) { try vmm.client().listGPUs() }
        }
        #expect(error == .status(code: 400, message: "gpu discovery failed"))
        #expect(error?.description == "the VMM is reachable but answered HTTP 400: gpu discovery failed")
    }

    @Test(arguments: [false, true])
    func unauthorizedAsksForAToken(overSocket: Bool) throws {
        try withVMM(overSocket: overSocket, { request in
            request.header("authorization") == "Bearer s3cret" ? .json(200, Self.oneGPU) : .respond(status: 401)
        }) { vmm in
            let missing = #expect(throws: DstackError.self) { try vmm.client().listGPUs() }
            #expect(missing?.description.contains("requires a token, set DSTACK_TOKEN") == true)
            let wrong = #expect(throws: DstackError.self) { try vmm.client(token: "wrong").listGPUs() }
            #expect(wrong?.description.contains("DSTACK_TOKEN was not accepted") == true)
            #expect(wrong?.description.contains("wrong") == false)
            let list = try vmm.client(token: "s3cret").listGPUs()
            #expect(list.gpus.count == 1)
        }
    }

    @Test(arguments: [false, true])
    func serverErrorQuotesTheStatusAndBody(overSocket: Bool) throws {
        let error = try withVMM(overSocket: overSocket, { _ in .respond(status: 500, body: Array("boom\n\u{1}".utf8)) }) { vmm in
            #expect(throws: DstackError.self) { try vmm.client().listGPUs() }
        }
        #expect(error == .status(code: 500, message: "boom"))
        #expect(error?.description == "the VMM is reachable but answered HTTP 500: boom")
    }

    /// The reason goes into one log line and `/health`: a multi-line or huge VMM message is folded and cut.
    @Test func reasonsQuotingTheVMMAreOneShortLine() throws {
        let chain = "{\n  \"error\": \"list gpus failed\\n\\nCaused by:\\n    0: lspci:\\tnot found\"\n}"
        let folded = try withVMM(overSocket: false, { _ in .json(400, chain) }) { vmm in
            #expect(throws: DstackError.self) { try vmm.client().listGPUs() }
        }
        #expect(folded == .status(code: 400, message: "list gpus failed Caused by: 0: lspci: not found"))
        let page = "<html>\r\n" + String(repeating: "é", count: 5000) + "</html>"
        let cut = try withVMM(overSocket: false, { _ in .respond(status: 502, body: Array(page.utf8)) }) { vmm in
            #expect(throws: DstackError.self) { try vmm.client().listGPUs() }
        }
        guard case .status(502, let message) = cut else {
            Issue.record("expected HTTP 502, got \(String(describing: cut))")
            return
        }
        #expect(message == "<html> " + String(repeating: "é", count: DstackClient.maximumExcerpt - 7) + "…")
        #expect(!message.contains("\u{FFFD}"))
    }

    @Test(arguments: [false, true])
    func aVMMThatNeverAnswersTimesOut(overSocket: Bool) throws {
        let started = Date()
        let error = try withVMM(overSocket: overSocket, { _ in .hang }) { vmm in
            #expect(throws: DstackError.self) { try vmm.client(timeout: 0.3).listGPUs() }
        }
        guard case .transport(let transport) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(transport.kind == .timeout)
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test(arguments: [false, true])
    func aVMMThatClosesWithoutAnsweringIsATransportError(overSocket: Bool) throws {
        let error = try withVMM(overSocket: overSocket, { _ in .close }) { vmm in
            #expect(throws: DstackError.self) { try vmm.client().listGPUs() }
        }
        guard case .transport = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: [false, true])
    func refusesATwoMebibyteBody(overSocket: Bool) throws {
        let big = #"{"gpus":[],"pad":""# + String(repeating: "x", count: 2 << 20) + #""}"#
        let error = try withVMM(overSocket: overSocket, { _ in .json(200, big) }) { vmm in
            #expect(throws: DstackError.self) { try vmm.client().listGPUs() }
        }
        #expect(error?.description.contains("response too large") == true)
        #expect(error?.description.contains("1048576-byte limit") == true)
    }

    /// prpc answers a method it does not have with 400 and `{"error": ...}`: quoted, and no other path tried.
    @Test(arguments: [false, true])
    func anUnknownMethodIsQuotedAndNoOtherPathIsTried(overSocket: Bool) throws {
        try withVMM(overSocket: overSocket, { _ in .json(400, "{\n  \"error\": \"NotFound\"\n}") }) { vmm in
            let client = try vmm.client()
            #expect(throws: DstackError.status(code: 400, message: "NotFound")) { try client.listGPUs() }
            #expect(vmm.targets == ["/prpc/ListGpus?json"])
        }
    }

    /// The simulator's VMM answers unknown methods as prpc does, and `Teepod.ListGpus` as v0.4.2+ does.
    @Test func theSimulatedVMMRoutesLikePrpc() {
        let vmm = SimulatedVMM()
        #expect(vmm.respond(to: SimulatorRequest(method: "GET", path: "/prpc/NoSuchMethod")).status == 400)
        #expect(vmm.respond(to: SimulatorRequest(method: "GET", path: "/prpc/Teepod.ListGpus")).status == 200)
        #expect(vmm.respond(to: SimulatorRequest(method: "GET", path: "/prpc/ListGpus")).status == 200)
    }

    @Test func aNotFoundSaysDSTACK_URLIsNotTheVMM() throws {
        try withVMM(overSocket: false, { _ in .respond(status: 404) }) { vmm in
            let client = try vmm.client()
            let error = #expect(throws: DstackError.self) { try client.listGPUs() }
            #expect(error?.description.contains("has no /prpc/ListGpus") == true)
            #expect(error?.description.contains("is DSTACK_URL the dstack VMM?") == true)
            #expect(vmm.targets == ["/prpc/ListGpus?json"])
        }
    }

    @Test func missingSocketFileSaysWhichPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/vmm.sock"
        let client = DstackClient(endpoint: .unixSocket(path: path), token: nil, http: HTTPClient())
        let error = #expect(throws: DstackError.self) { try client.listGPUs() }
        guard case .transport(let transport) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(transport.kind == .connectionRefused)
        #expect(error?.description.contains("cannot connect to Unix socket \(path)") == true)
    }
}

/// A boolean a fake server's handler reads while the test flips it.
final class TestFlag: Sendable {
    private let value = Mutex(false)

    var isOn: Bool {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
