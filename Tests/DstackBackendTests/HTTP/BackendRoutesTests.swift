import DstackHTTP
import DstackTestSupport
import Testing
@testable import DstackBackend

/// The daemon's routes served by the HTTP server: what each path and method gets.
@Suite(.serialized) struct BackendRoutesTests {
    @Test func unknownPathMethodAndPreflight() throws {
        let health = PreparedResponse(status: 200, contentType: "application/json", text: #"{"status":"Available"}"#)
        let metrics = PreparedResponse(status: 200, contentType: "text/plain", text: "m 1\n")
        let running = try RunningServer(handler: BackendRoutes(health: { health }, metrics: { metrics }))
        defer { running.shutDown() }
        let client = try running.client()
        client.send("GET /nope?x HTTP/1.1\r\nHost: t\r\n\r\nDELETE /health HTTP/1.1\r\nHost: t\r\n\r\nOPTIONS /health HTTP/1.1\r\nHost: t\r\n\r\nGET /metrics HTTP/1.1\r\nHost: t\r\n\r\nGET /health?probe=1 HTTP/1.1\r\nHost: t\r\n\r\n")
        let responses = client.readResponses(5)
        #expect(responses.map(\.status) == [404, 405, 204, 200, 200])
        #expect(responses[0].headers["content-type"] == "application/json")
        #expect(responses[1].headers["allow"] == "GET, HEAD, OPTIONS")
        #expect(responses[2].headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS")
        #expect(responses[2].headers["access-control-allow-headers"] == "*")
        #expect(responses[2].headers["access-control-max-age"] == "86400")
        #expect(responses[2].headers["content-length"] == nil)
        #expect(responses[2].headers["access-control-allow-origin"] == "*")
        #expect(responses[3].body == "m 1\n")
        #expect(responses[4].body == #"{"status":"Available"}"#)
    }
}
