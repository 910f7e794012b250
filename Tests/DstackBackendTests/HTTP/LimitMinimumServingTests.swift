import Testing
@testable import DstackBackend
import DstackHTTP
import DstackTestSupport

/// Issue 23: the minimums of `MAX_HEADER_BYTES` and `MAX_HEADER_COUNT` (`CountBound`) serve a plain `GET /health`
/// with a long `Host` and `User-Agent`, with margin; below them the same request is refused.
@Suite(.serialized) struct LimitMinimumServingTests {
    /// What curl or dephy-worker sends, with a 253-byte host name (the DNS maximum), a port and a 256-byte
    /// User-Agent: the request `CountBound` measures.
    static let longRequest: String = {
        let label = String(repeating: "h", count: 63)
        let host = [label, label, label, String(repeating: "h", count: 61)].joined(separator: ".")
        let agent = "dephy-worker/2.1.0 " + String(repeating: "a", count: 256 - 19)
        return "GET /health HTTP/1.1\r\nHost: \(host):65535\r\nUser-Agent: \(agent)\r\nAccept: */*\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n\r\n"
    }()

    static func limits(headerBytes: Int = CountBound.maxHeaderBytes.count, headerCount: Int = CountBound.maxHeaderCount.count)
        -> ServerLimits
    {
        var limits = ServerLimits()
        limits.maxHeaderBytes = headerBytes
        limits.maxHeaderCount = headerCount
        return limits
    }

    func status(of request: String, limits: ServerLimits) throws -> Int? {
        let health = PreparedResponse(status: 200, contentType: "application/json", text: #"{"status":"Available"}"#)
        let running = try RunningServer(limits: limits, handler: BackendRoutes(health: { health }))
        defer { running.shutDown() }
        let client = try running.client()
        client.send(request)
        return client.readResponses(1).first?.status
    }

    @Test func theMeasuredRequestIsAsLongAsCountBoundSaysWithMarginBelowTheMinimum() {
        let size = Self.longRequest.utf8.count
        #expect((600...640).contains(size), "the request is \(size) bytes")
        #expect(size * 3 / 2 <= CountBound.maxHeaderBytes.count, "less than half again as much margin")
    }

    @Test func aLongPlainHealthRequestIsServedAtTheMinimums() throws {
        #expect(try status(of: Self.longRequest, limits: Self.limits()) == 200)
        // As many header lines as the minimum allows, e.g. a proxy's forwarding headers added.
        let headers = (0..<CountBound.maxHeaderCount.count - 1).map { "X-Forwarded-\($0): 203.0.113.7\r\n" }.joined()
        #expect(try status(of: "GET /health HTTP/1.1\r\nHost: node.example.com\r\n\(headers)\r\n", limits: Self.limits()) == 200)
    }

    @Test func belowTheMinimumsTheSameRequestIsRefused() throws {
        // What MAX_HEADER_BYTES=10 did before it was refused at start-up.
        #expect(try status(of: Self.longRequest, limits: Self.limits(headerBytes: 10)) == 431)
        #expect(try status(of: Self.longRequest, limits: Self.limits(headerBytes: Self.longRequest.utf8.count - 1)) == 431)
        #expect(try status(of: Self.longRequest, limits: Self.limits(headerCount: 3)) == 431)
    }
}
