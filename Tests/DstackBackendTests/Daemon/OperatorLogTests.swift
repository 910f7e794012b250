import Foundation
import DstackTestSupport
import Testing

@testable import DstackBackend

/// Log lines an operator reads at 3 a.m.: registry requests at debug, a revoked permission with its fix.
@Suite struct OperatorLogTests {
    @Test func debugShowsEachRegistryRequestWithItsStatusAndDuration() throws {
        let server = try FakeHTTPServer { _ in .respond(status: 404) }
        defer { server.stop() }
        let sink = CollectingSink()
        let client = RegistryClient(
            baseURL: try HTTPURL.parse(server.baseURL, setting: "REGISTRY_URL"), http: HTTPClient(),
            logger: Logger(level: .debug, sink: sink))
        _ = try client.permissions(pubkey: BackendInfoTests.pubkey)
        let lines = sink.records(withMessage: "Registry request")
        #expect(lines.count == 1)
        #expect(lines.first?.level == .debug)
        #expect(lines.first?.field("method") == "GET")
        #expect(lines.first?.field("url") == server.baseURL + "/permissions/" + BackendInfoTests.pubkey)
        #expect(lines.first?.field("status") == "404")
        #expect(lines.first.flatMap { $0.field("duration_ms") }.flatMap(Int.init) != nil)

        let port = server.port
        server.stop()
        let refused = RegistryClient(
            baseURL: HTTPURL(scheme: .http, host: "127.0.0.1", port: port, path: ""), http: HTTPClient(),
            logger: Logger(level: .debug, sink: sink))
        _ = try? refused.permissions(pubkey: BackendInfoTests.pubkey)
        #expect(sink.records(withMessage: "Registry request").last?.field("reason")?.hasPrefix("connection refused") == true)
    }

    @Test func aRevokedPermissionSaysWhatToDo() throws {
        let server = try FakeHTTPServer { _ in .respond(status: 404) }
        defer { server.stop() }
        let sink = CollectingSink()
        let recheck = PermissionRecheck(
            client: RegistryClient(baseURL: try HTTPURL.parse(server.baseURL, setting: "REGISTRY_URL"), http: HTTPClient()),
            pubkey: BackendInfoTests.pubkey, interval: .milliseconds(20), metrics: DaemonMetrics(), logger: Logger(level: .info, sink: sink),
            initial: .authorized)
        let stop = StopSignal()
        let thread = BackgroundThread(name: "test-recheck") { recheck.run(until: stop) }
        _ = eventually(within: 5) { !sink.records.isEmpty }
        stop.stop()
        thread.join()
        let revoked = sink.records.first
        #expect(revoked?.level == .warn)
        #expect(revoked?.message == "Registry no longer authorizes the worker")
        #expect(revoked?.field("impact") == "dephy-worker cannot publish for this node")
        #expect(revoked?.field("fix")?.contains("ask the registry's operator") == true)
        #expect(revoked?.field("pubkey") == BackendInfoTests.pubkey)
    }
}
