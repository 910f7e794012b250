import Testing
import Foundation
@testable import DstackBackend
import DstackTestSupport

@Suite struct HTTPClientTests {
    @Test func getsBodyStatusAndHeaders() throws {
        let server = try FakeHTTPServer { _ in .json(200, #"{"ok":true}"#, headers: [("X-App-Version", "0.5.3")]) }
        defer { server.stop() }
        let response = try HTTPClient().get(server.baseURL + "/x?json")
        #expect(response.status == 200)
        #expect(response.bodyText == #"{"ok":true}"#)
        #expect(response.header("x-app-version") == "0.5.3")
        #expect(server.requests.first?.target == "/x?json")
        #expect(server.requests.first?.header("user-agent") == "dstack-backend/\(BuildInfo.version)")
    }

    @Test func postsJSONBody() throws {
        let server = try FakeHTTPServer { _ in .respond(status: 201) }
        defer { server.stop() }
        let response = try HTTPClient().postJSON(server.baseURL + "/workers", json: Array(#"{"a":1}"#.utf8))
        #expect(response.status == 201)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.bodyText == #"{"a":1}"#)
        #expect(request.header("content-type") == "application/json")
    }

    @Test func refusesOversizedResponse() throws {
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 5 << 20)
        let server = try FakeHTTPServer { _ in .respond(status: 200, body: big) }
        defer { server.stop() }
        let error = #expect(throws: HTTPClientError.self) { try HTTPClient().get(server.baseURL + "/") }
        #expect(error?.kind == .responseTooLarge)
    }

    @Test func timesOutOnAPeerThatNeverAnswers() throws {
        let server = try FakeHTTPServer { _ in .hang }
        defer { server.stop() }
        let client = HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: .milliseconds(300)))
        let start = ContinuousClock.now
        let error = #expect(throws: HTTPClientError.self) { try client.get(server.baseURL + "/") }
        #expect(error?.kind == .timeout)
        #expect(start.duration(to: .now) < .seconds(3))
    }

    @Test func reportsConnectionRefused() throws {
        let server = try FakeHTTPServer { _ in .hang }
        let url = server.baseURL
        server.stop()
        let error = #expect(throws: HTTPClientError.self) { try HTTPClient().get(url + "/") }
        #expect(error?.kind == .connectionRefused)
    }

    @Test func talksOverUnixSocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/vmm.sock"
        let server = try FakeHTTPServer(unixPath: path) { _ in .json(200, "{}") }
        defer { server.stop() }
        let response = try HTTPClient().perform(
            HTTPClientRequest(url: "http://localhost/prpc/ListGpus?json", unixSocketPath: path))
        #expect(response.status == 200)
        #expect(server.requests.first?.target == "/prpc/ListGpus?json")
    }

    @Test func missingUnixSocketSaysSo() throws {
        let error = #expect(throws: HTTPClientError.self) {
            try HTTPClient().perform(HTTPClientRequest(url: "http://localhost/", unixSocketPath: "/nonexistent/vmm.sock"))
        }
        #expect(error?.kind == .connectionRefused)
        #expect(error?.description.contains("/nonexistent/vmm.sock") == true)
    }
}

@Suite struct HTTPClientCancellationTests {
    @Test func stopSignalAbandonsARequestInFlight() throws {
        let server = try FakeHTTPServer { _ in .hang }
        defer { server.stop() }
        let stop = StopSignal()
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: .seconds(5), totalTimeout: .seconds(30)), cancellation: stop)
        let stopper = Thread {
            // SIGTERM once the request has reached the server, which never answers it.
            _ = eventually { !server.requests.isEmpty }
            stop.stop(reason: .terminate)
        }
        stopper.start()
        let start = ContinuousClock.now
        let error = #expect(throws: HTTPClientError.self) { try client.get(server.baseURL + "/") }
        #expect(error?.kind == .cancelled)
        #expect(start.duration(to: .now) < .seconds(2))
    }
}
