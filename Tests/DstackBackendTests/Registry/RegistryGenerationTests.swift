import Foundation
import DstackTestSupport
import Testing
@testable import DstackBackend

/// The decision order against a fake of each registry generation, and the owner check.
@Suite struct RegistryGenerationTests {
    typealias Fixtures = RegistryFixtures

    func messages(_ sink: CollectingSink) -> [String] { sink.records.map(\.message) }

    /// v0.1: `/permissions` only, `GET /workers/<pubkey>` is 404 for every key. Nothing to compare; POST.
    @Test func v01PermissionsOnlyRegistryRegistersWithoutComparingTheOwner() throws {
        let script = ScriptedRegistry(
            get: [.json(404, #"{"error":"unknown"}"#), .json(200, Fixtures.allowAll)], post: [.json(201, "{}")])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        let outcome = try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome
        #expect(outcome == .authorized)
        #expect(server.requests.map { "\($0.method) \($0.target)" } == [
            "GET /permissions/\(Fixtures.pubkey)", "GET /workers/\(Fixtures.pubkey)", "POST /workers",
            "GET /permissions/\(Fixtures.pubkey)",
        ])
        #expect(messages(sink).contains("Registry has no record of this worker at GET /workers/<pubkey>"))
        #expect(messages(sink).contains("Worker registration completed successfully"))
        #expect(messages(sink).contains("Worker is now authorized to communicate with the message network"))
    }

    /// v0.1 with the worker authorized: no POST even though the workers endpoint does not exist.
    @Test func v01AuthorizedWorkerIsNotPosted() throws {
        let script = ScriptedRegistry(get: [.json(200, Fixtures.allowAll)], workers: [.respond(status: 200, body: Array("<html>app</html>".utf8))])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        #expect(try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome == .authorized)
        #expect(server.requests(to: "/workers").count == 1)
        #expect(server.requests.allSatisfy { $0.method == "GET" })
        let skipped = sink.records(withMessage: "Registry answers GET /workers/<pubkey> without a worker record; the owner is not compared")
        #expect(skipped.first?.field("reason") == "the answer is not JSON")
    }

    /// v0.2: `/permissions` does not authorize (yet), the worker record exists: registered and pending, no POST.
    @Test func v02WorkerRecordMeansRegisteredAndPendingWithoutPost() throws {
        let script = ScriptedRegistry(get: [.json(404, "")], workers: [.json(200, Fixtures.record(owner: "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"))])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        let outcome = try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome
        #expect(outcome == .pending)
        #expect(server.requests.map(\.method) == ["GET", "GET"])
        #expect(messages(sink).contains("Worker is registered but not authorized yet, skipping registration"))
        #expect(messages(sink).contains("Worker registration completed successfully"))
        #expect(!messages(sink).contains("Worker is now authorized to communicate with the message network"))
        #expect(sink.records(withMessage: "Registry has not granted write permission yet; the worker stays pending").first?.level == .warn)
        let record = try #require(sink.records(withMessage: "Registry holds a record of this worker").first)
        #expect(record.field("registry.minted") == "false")
        // A JSON boolean in LOG_FORMAT=json.
        #expect(record.formatted(.json).contains(#""registry.minted":false"#), "\(record.formatted(.json))")
        #expect(record.field("registry.node_type") == "node-H100x1")
    }

    /// A registry that already has the worker answers a second POST with 409: registered, not an error.
    @Test func conflictOnPostMeansAlreadyRegistered() throws {
        let script = ScriptedRegistry(get: [.json(404, "")], post: [.json(409, #"{"error":"worker already exists"}"#)])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        let outcome = try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome
        #expect(outcome == .pending)
        #expect(server.requests(to: "/workers").filter { $0.method == "POST" }.count == 1)
        let conflict = try #require(sink.records(withMessage: "Registry says the worker is already registered (HTTP 409); not an error").first)
        #expect(conflict.field("registry.body") == #"{"error":"worker already exists"}"#)
        #expect(messages(sink).contains("Worker registration completed successfully"))
        #expect(sink.records.allSatisfy { $0.level != .error })
        #expect(sink.records(withMessage: "Registry request failed, retrying").isEmpty)
    }

    /// 409 and then `/permissions` says AllowAll: authorized.
    @Test func conflictThenAuthorizedIsAuthorized() throws {
        let script = ScriptedRegistry(get: [.json(404, ""), .json(200, Fixtures.allowAll)], post: [.json(409, "")])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        #expect(try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome == .authorized)
        #expect(messages(sink).contains("Worker is now authorized to communicate with the message network"))
    }

    /// The registry holds another owner: stop before serving, both addresses and what to do in the log.
    @Test(arguments: [Fixtures.allowAll, Fixtures.pending])
    func anotherOwnerStopsWhateverPermissionsSay(permissions: String) throws {
        let other = "0x0000000000000000000000000000000000000001"
        let script = ScriptedRegistry(get: [.json(200, permissions)], workers: [.json(200, Fixtures.record(owner: other))])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        let registration = try Fixtures.registration(baseURL: server.baseURL, sink: sink)
        let error = #expect(throws: RegistrationError.self) { try registration.run(pubkey: Fixtures.pubkey, stop: StopSignal()) }
        #expect(error == .ownerMismatch(registered: other, configured: Fixtures.owner.checksummed, pubkey: Fixtures.pubkey))
        #expect(error?.exitStatus == 78)
        #expect(server.requests.allSatisfy { $0.method == "GET" })
        let errors = sink.records.filter { $0.level == .error }.map(\.message)
        #expect(errors.count == 2)
        let line = try #require(errors.first)
        #expect(line.hasPrefix("Worker registration failed: the registry holds owner \(other)"))
        #expect(line.contains("OWNER_ADDRESS is 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"))
        #expect(line.contains("this backend cannot change it"))
        #expect(errors.last == "Cannot start service without successful registration")
        #expect(!messages(sink).contains("Worker registration completed successfully"))
    }

    /// EIP-55 is only a checksum: an owner stored in another case (or without 0x) is the same owner.
    @Test(arguments: ["0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"])
    func theOwnerIsComparedCaseInsensitively(stored: String) throws {
        let script = ScriptedRegistry(get: [.json(200, Fixtures.allowAll)], workers: [.json(200, Fixtures.record(owner: stored))])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        #expect(try Fixtures.registration(baseURL: server.baseURL, sink: CollectingSink()).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome == .authorized)
    }

    @Test func anotherNodeTypeOnlyWarns() throws {
        let script = ScriptedRegistry(get: [.json(200, Fixtures.allowAll)], workers: [.json(200, Fixtures.record(nodeType: "node-H200x8", minted: true))])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        #expect(try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome == .authorized)
        let warning = try #require(
            sink.records(withMessage: "The registry holds another node type for this worker; it keeps the one from the first registration").first)
        #expect(warning.level == .warn)
        #expect(warning.field("registry.node_type") == "node-H200x8")
        #expect(warning.field("node_type") == "node-H100x1")
    }

    /// A failing workers endpoint is retried like every registry request, then the record decides.
    @Test func aTransientWorkerLookupIsRetried() throws {
        let script = ScriptedRegistry(get: [.json(404, "")], workers: [.json(503, "busy"), .json(200, Fixtures.record())])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        #expect(try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome == .pending)
        #expect(sink.records(withMessage: "Registry request failed, retrying").first?.field("step") == "lookup")
        #expect(server.requests(to: "/workers").count == 2)
    }

    /// A registry that refuses the lookup (405, 401) is not compared and does not stop registration.
    @Test(arguments: [405, 401])
    func aRefusedLookupIsNotComparedAndRegistrationGoesOn(status: Int) throws {
        let script = ScriptedRegistry(get: [.json(404, ""), .json(200, Fixtures.allowAll)], workers: [.json(status, "")], post: [.json(201, "{}")])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        #expect(try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome == .authorized)
        let skipped = sink.records(withMessage: "Registry answers GET /workers/<pubkey> without a worker record; the owner is not compared")
        #expect(skipped.first?.field("reason") == "HTTP \(status)")
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test func workerRecordsAreReadStrictly() {
        let key = Fixtures.pubkey
        #expect(WorkerLookup.parse(Array(Fixtures.record().utf8), pubkey: key).record?.owner == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        #expect(WorkerLookup.parse(Array(#"{"worker":{"owner":"0x01","node_type":"CPU"}}"#.utf8), pubkey: key).record?.nodeType == "CPU")
        let other = #"{"pubkey":"\#(String(repeating: "cd", count: 32))","owner":"0x01"}"#
        guard case .unusable(let reason) = WorkerLookup.parse(Array(other.utf8), pubkey: key) else {
            Issue.record("another key's record must not be compared")
            return
        }
        #expect(reason.contains("another key"))
        #expect(WorkerLookup.parse(Array("[]".utf8), pubkey: key) == .unusable(reason: "the answer has no owner field"))
        #expect(WorkerLookup.parse(Array("<html>".utf8), pubkey: key) == .unusable(reason: "the answer is not JSON"))
    }
}

/// The background re-check: a pending worker's approval (and a revocation) is logged once and shows in the metric.
@Suite struct PermissionRecheckTests {
    /// Runs the re-check against `server` until `done` holds or 5 s pass.
    func recheck(
        _ server: FakeHTTPServer, initial: RegistrationOutcome, sink: CollectingSink, metrics: DaemonMetrics,
        until done: @escaping @Sendable () -> Bool
    ) throws {
        let client = RegistryClient(
            baseURL: try HTTPURL.parse(server.baseURL, setting: "REGISTRY_URL"),
            http: HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: .seconds(2))))
        let recheck = PermissionRecheck(
            client: client, pubkey: RegistryFixtures.pubkey, interval: .milliseconds(20), metrics: metrics,
            logger: Logger(level: .debug, sink: sink), initial: initial)
        let stop = StopSignal()
        let thread = BackgroundThread(name: "recheck-test") { recheck.run(until: stop) }
        _ = eventually(within: 5, done)
        stop.stop()
        thread.join()
    }

    @Test func aPendingWorkerThatIsApprovedIsLoggedOnce() throws {
        let script = ScriptedRegistry(get: [.json(200, RegistryFixtures.pending), .json(200, RegistryFixtures.pending), .json(200, RegistryFixtures.allowAll)])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        let metrics = DaemonMetrics()
        try recheck(server, initial: .pending, sink: sink, metrics: metrics) { server.requests.count >= 5 }
        #expect(metrics.registryAuthorized.current == 1)
        #expect(sink.records(withMessage: "Worker is now authorized to communicate with the message network").count == 1)
        #expect(sink.records(withMessage: "Registry no longer authorizes the worker").isEmpty)
    }

    /// The old bug: a worker that was never authorized was reported as "no longer" authorized.
    @Test func aWorkerStillPendingIsNotReportedAsRevoked() throws {
        let script = ScriptedRegistry(get: [.json(200, RegistryFixtures.pending)])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        let metrics = DaemonMetrics()
        try recheck(server, initial: .pending, sink: sink, metrics: metrics) { server.requests.count >= 3 }
        #expect(server.requests.count >= 3)
        #expect(metrics.registryAuthorized.current == 0)
        #expect(sink.records.isEmpty)
    }

    @Test func aRevokedWorkerIsLoggedOnce() throws {
        let server = try FakeHTTPServer { _ in .json(404, "") }
        defer { server.stop() }
        let sink = CollectingSink()
        let metrics = DaemonMetrics()
        metrics.registryAuthorized.set(1)
        try recheck(server, initial: .authorized, sink: sink, metrics: metrics) { server.requests.count >= 3 }
        #expect(metrics.registryAuthorized.current == 0)
        #expect(sink.records(withMessage: "Registry no longer authorizes the worker").count == 1)
    }
}
