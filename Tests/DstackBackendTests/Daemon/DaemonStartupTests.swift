import Foundation
import Testing
@testable import DstackBackend
@testable import DstackHTTP
import DstackTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's start-up order around registration: bind first, listen only once registered, exit statuses.
@Suite(.serialized) struct DaemonStartupTests {
    func configuration(registry: String, listen: ListenAddress, dataDirectory: String) throws -> Configuration {
        var configuration = Configuration(
            registryURL: try HTTPURL.parse(registry, setting: "REGISTRY_URL"), ownerAddress: RegistryFixtures.owner)
        configuration.listenAddress = listen
        configuration.dstackEndpoint = .http(HTTPURL(scheme: .http, host: "127.0.0.1", port: 9, path: ""))
        configuration.dataDirectory = dataDirectory
        configuration.httpConnectTimeout = .seconds(1)
        configuration.httpTimeout = .seconds(2)
        configuration.registrationTimeout = .seconds(2)
        configuration.logLevel = .debug
        return configuration
    }

    @Test func aPortInUseStopsBeforeAnyRegistryRequest() throws {
        let registry = try FakeHTTPServer { _ in .json(200, RegistryFixtures.allowAll) }
        defer { registry.stop() }
        let occupant = try BoundListener.bind(.inet(host: "127.0.0.1", port: 0))
        try occupant.listen()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sink = CollectingSink()
        let config = try configuration(
            registry: registry.baseURL, listen: .inet(host: "127.0.0.1", port: occupant.boundPort!), dataDirectory: directory.path)
        let code = Daemon(configuration: config, logger: Logger(level: .debug, sink: sink), stop: StopSignal()).run()
        #expect(code == 1)
        #expect(registry.requests.isEmpty)
        #expect(sink.records(withMessage: "Cannot listen").first?.field("reason")?.contains("another process uses this port") == true)
    }

    @Test func aRegularFileAtTheSocketPathStopsBeforeAnyRegistryRequest() throws {
        let registry = try FakeHTTPServer { _ in .json(200, RegistryFixtures.allowAll) }
        defer { registry.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/backend.sock"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("keep".utf8)))
        let config = try configuration(registry: registry.baseURL, listen: .unix(path: path), dataDirectory: directory.path + "/data")
        #expect(Daemon(configuration: config, logger: .silent, stop: StopSignal()).run() == 1)
        #expect(registry.requests.isEmpty)
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
    }

    /// While the registry has not answered, the port refuses connections; it serves once registered.
    @Test func thePortRefusesConnectionsUntilRegistrationSucceeded() throws {
        let release = TestFlag()
        let registry = try FakeHTTPServer { _ in
            _ = eventually(within: 5) { release.isOn }
            return .json(200, RegistryFixtures.allowAll)
        }
        defer { registry.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let probe = try BoundListener.bind(.inet(host: "127.0.0.1", port: 0))
        let port = probe.boundPort!
        probe.close()
        let config = try configuration(registry: registry.baseURL, listen: .inet(host: "127.0.0.1", port: port), dataDirectory: directory.path)
        let stop = StopSignal()
        let sink = CollectingSink()
        let daemon = Daemon(configuration: config, logger: Logger(level: .debug, sink: sink), stop: stop)
        let code = ExitCodeBox()
        let thread = BackgroundThread(name: "daemon-test") { code.set(daemon.run()) }
        _ = eventually(within: 5) { !registry.requests.isEmpty }
        #expect(!registry.requests.isEmpty)
        #expect(throws: SystemTestError.self) { _ = try RawClient(port: port) }
        release.isOn = true
        _ = eventually(within: 5) { !sink.records(withMessage: "Backend listening on 127.0.0.1:\(port)").isEmpty }
        let client = try RawClient(port: port)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.readResponses(1).first?.status == 200)
        stop.stop(reason: .terminate)
        thread.join()
        #expect(code.value == 0)
    }

    @Test func anOwnerMismatchExits78AndARefusalExits1() throws {
        // No pubkey in the record: the daemon's key is made fresh in the test's directory.
        let other = #"{"owner":"0x0000000000000000000000000000000000000001","node_type":"node-H100x1"}"#
        let mismatch = ScriptedRegistry(get: [.json(200, RegistryFixtures.allowAll)], workers: [.json(200, other)])
        let refusal = ScriptedRegistry(get: [.json(404, "")], post: [.json(400, #"{"error":"bad owner"}"#)])
        for (script, expected) in [(mismatch, Int32(78)), (refusal, Int32(1))] {
            let registry = try FakeHTTPServer { script.reply(to: $0) }
            defer { registry.stop() }
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let config = try configuration(
                registry: registry.baseURL, listen: .inet(host: "127.0.0.1", port: 0), dataDirectory: directory.path)
            #expect(Daemon(configuration: config, logger: .silent, stop: StopSignal()).run() == expected)
        }
    }
}

/// An exit code handed from the daemon's thread to the test.
final class ExitCodeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Int32 = -1
    var value: Int32 { lock.lock(); defer { lock.unlock() }; return stored }
    func set(_ new: Int32) { lock.lock(); stored = new; lock.unlock() }
}
