import Testing
@testable import DstackHTTP
import DstackTestSupport

@Suite struct RequestParserTests {
    let limits = ServerLimits()

    func parse(_ text: String, limits: ServerLimits? = nil) -> ParseResult {
        RequestParser.parse(Array(text.utf8), limits: limits ?? self.limits)
    }

    func request(_ text: String) throws -> (HTTPRequest, Int) {
        guard case .request(let request, let end) = parse(text) else {
            throw SystemTestError("not a request: \(parse(text))")
        }
        return (request, end)
    }

    func failure(_ text: String, limits: ServerLimits? = nil) -> RequestError? {
        if case .failure(let error) = parse(text, limits: limits) { return error }
        return nil
    }

    @Test func parsesPathQueryMethodAndHeaders() throws {
        let (request, end) = try request("GET /health?x=1&y HTTP/1.1\r\nHost: a\r\nX-Thing:  v  \r\n\r\n")
        #expect(request.method == .get)
        #expect(request.pathString == "/health")
        #expect(request.pathEquals("/health"))
        #expect(!request.pathEquals("/healt"))
        #expect(request.queryString == "x=1&y")
        #expect(request.header("x-thing") == "v")
        #expect(request.header("HOST") == "a")
        #expect(request.keepAlive)
        #expect(end == "GET /health?x=1&y HTTP/1.1\r\nHost: a\r\nX-Thing:  v  \r\n\r\n".utf8.count)
    }

    @Test func keepAliveFollowsVersionAndConnectionHeader() throws {
        #expect(try request("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").0.keepAlive == false)
        #expect(try request("GET / HTTP/1.0\r\n\r\n").0.keepAlive == false)
        #expect(try request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").0.keepAlive == true)
        #expect(try request("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n").0.keepAlive == false)
        #expect(try request("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n").0.isHead)
    }

    @Test func keepsTheBodyAndFindsThePipelinedNextRequest() throws {
        let first = "POST /workers HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        let second = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let bytes = Array((first + second).utf8)
        guard case .request(let one, let end) = RequestParser.parse(bytes, limits: limits) else {
            Issue.record("first request not parsed")
            return
        }
        #expect(one.body == Array("hello".utf8))
        #expect(end == first.utf8.count)
        guard case .request(let two, let end2) = RequestParser.parse(bytes, from: end, limits: limits) else {
            Issue.record("second request not parsed")
            return
        }
        #expect(two.pathString == "/")
        #expect(end2 == bytes.count)
    }

    @Test func absoluteFormAndAsteriskTargets() throws {
        #expect(try request("GET http://example.com/health?q HTTP/1.1\r\nHost: example.com\r\n\r\n").0.pathString == "/health")
        #expect(try request("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").0.pathString == "*")
    }

    @Test func aValidRequestSplitAtEveryByteParsesTheSame() throws {
        let text = "POST /workers?a=b HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
        let bytes = Array(text.utf8)
        for cut in 0..<bytes.count {
            guard case .incomplete = RequestParser.parse(Array(bytes[0..<cut]), limits: limits) else {
                Issue.record("prefix of \(cut) bytes was not incomplete")
                return
            }
        }
        guard case .request(let request, let end) = RequestParser.parse(bytes, limits: limits) else {
            Issue.record("whole request not parsed")
            return
        }
        #expect(end == bytes.count)
        #expect(request.pathString == "/workers")
        #expect(request.queryString == "a=b")
        #expect(request.body == Array("{\"a\":1}".utf8))
        #expect(request.header("content-type") == "application/json")
    }

    /// Feeds `bytes` in pieces of `step` bytes through one `ParseProgress`, as a connection does.
    func parseIncrementally(_ bytes: [UInt8], step: Int, limits: ServerLimits) -> ParseResult {
        var progress = ParseProgress()
        var delivered = 0
        while true {
            delivered = min(bytes.count, delivered + step)
            let result = RequestParser.parse(Array(bytes[0..<delivered]), from: 0, limits: limits, progress: &progress)
            if case .incomplete = result, delivered < bytes.count { continue }
            return result
        }
    }

    static func describe(_ result: ParseResult) -> String {
        switch result {
        case .incomplete: "incomplete"
        case .failure(let error): "failure \(error.status)"  // the reason text differs with what has arrived
        case .request(let request, let end):
            "request \(request.methodString) \(request.pathString) ?\(request.queryString) \(request.headers) "
                + "body \(request.body) end \(end) keepAlive \(request.keepAlive)"
        }
    }

    @Test(arguments: [
        "POST /workers?a=b HTTP/1.1\r\nHost: localhost\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n",  // bare CR, which a chunk boundary may split from its next byte
        "GET / HTTP/1.1\r\nHost: a\r\n\nX: 1\r\n\r\n",  // bare LF after a CRLF
        "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 200) + "\r\n\r\n",  // over the tiny limit
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 300\r\n\r\n" + String(repeating: "c", count: 300),  // 413
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        // Found by the fuzzer: a bare CR before the head limit is 400 whether or not the limit was reached.
        "POST / HTTP/1.1\r\nH\u{7f}st: a\r\nContent-Length: 3\rXTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ])
    func incrementalParsingAgreesWithOneShotAtEveryChunkSize(_ text: String) {
        let bytes = Array(text.utf8)
        var small = ServerLimits()
        small.maxHeaderBytes = 64
        small.maxBodyBytes = 200
        for limits in [ServerLimits(), small] {
            let whole = Self.describe(RequestParser.parse(bytes, limits: limits))
            for step in 1...9 {
                let pieces = Self.describe(parseIncrementally(bytes, step: step, limits: limits))
                #expect(pieces == whole, "step \(step)")
            }
        }
    }

    @Test func progressSkipsWhatWasScannedAndWaitsForTheBody() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n"
        var progress = ParseProgress()
        var bytes = Array(head.utf8) + Array("ab".utf8)
        guard case .incomplete = RequestParser.parse(bytes, from: 0, limits: limits, progress: &progress) else {
            Issue.record("a request missing half its body was not incomplete")
            return
        }
        // The head parsed once: corrupting it now is not looked at again until the body is complete.
        bytes[0] = 0
        guard case .incomplete = RequestParser.parse(bytes, from: 0, limits: limits, progress: &progress) else {
            Issue.record("the head was parsed again while waiting for the body")
            return
        }
        bytes[0] = UInt8(ascii: "P")
        bytes += Array("cd".utf8)
        guard case .request(let request, _) = RequestParser.parse(bytes, from: 0, limits: limits, progress: &progress)
        else {
            Issue.record("the completed request was not parsed")
            return
        }
        #expect(request.body == Array("abcd".utf8))
        #expect(request.version == "HTTP/1.1")
    }

    @Test func headerLookupIsCaseInsensitiveAndFindsTheFirst() throws {
        let (request, _) = try request("GET / HTTP/1.1\r\nHost: a\r\nX-Token: one\r\nx-token: two\r\n\r\n")
        #expect(request.header("X-TOKEN") == "one")
        #expect(request.header("x-tok") == nil)
        #expect(request.headers.count == 3)
    }

    @Test func headTooLargeIs431() {
        var small = ServerLimits()
        small.maxHeaderBytes = 64
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 100) + "\r\n\r\n"
        #expect(failure(text, limits: small) == .headerTooLarge)
        #expect(failure(String(text.prefix(80)), limits: small) == .headerTooLarge)
        #expect(RequestError.headerTooLarge.status == 431)
    }

    @Test func tooManyHeadersIs431() {
        var small = ServerLimits()
        small.maxHeaderCount = 3
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: small) == .tooManyHeaders)
        #expect(RequestError.tooManyHeaders.status == 431)
    }

    @Test func bodyTooLargeIs413BeforeItArrives() {
        var small = ServerLimits()
        small.maxBodyBytes = 10
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: small) == .bodyTooLarge)
        #expect(RequestError.bodyTooLarge.status == 413)
    }

    @Test(arguments: [
        "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",  // double space
        "GET / HTTP/1.1 \r\nHost: a\r\n\r\n",  // trailing space in the version
        "GET /\r\nHost: a\r\n\r\n",  // no version
        "/ HTTP/1.1\r\nHost: a\r\n\r\n",  // no method
        "GET health HTTP/1.1\r\nHost: a\r\n\r\n",  // target without /
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",  // space before the colon
        "GET / HTTP/1.1\r\nHost a\r\n\r\n",  // no colon
        "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n folded\r\n\r\n",  // obs-fold
        "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n",  // bare CR
        "GET / HTTP/1.1\nHost: a\r\n\r\n",  // bare LF
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",  // CL + TE
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",  // any TE
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",  // conflicting CL
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc",  // signed CL
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc",  // list CL
        "GET / HTTP/1.1\r\n\r\n",  // 1.1 without Host
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",  // two Hosts
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{01}b\r\n\r\n",  // control character
        "\u{00}GET / HTTP/1.1\r\n\r\n",  // garbage first byte
    ])
    func malformedAndAmbiguousRequestsAre400(_ text: String) {
        guard case .badRequest = failure(text) else {
            Issue.record("not refused with 400: \(text.debugDescription) -> \(parse(text))")
            return
        }
    }

    @Test func sameContentLengthTwiceIsAccepted() throws {
        #expect(try request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nab").0.body.count == 2)
    }

    @Test func unknownVersionIs505() {
        #expect(failure("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == .versionNotSupported)
        #expect(failure("GET / HTTP/1.2\r\nHost: a\r\n\r\n") == .versionNotSupported)
        #expect(RequestError.versionNotSupported.status == 505)
    }
}
