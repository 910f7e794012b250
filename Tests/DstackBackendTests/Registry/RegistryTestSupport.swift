import Synchronization
import Testing
@testable import DstackBackend

/// Replies in order for `GET /permissions/…` (`get`), `GET /workers/…` (`workers`) and POST; the last
/// one of a list repeats once it runs out. `workers` defaults to a v0.1 registry: 404 for every key.
final class ScriptedRegistry: Sendable {
    private let state: Mutex<(get: [FakeReply], workers: [FakeReply], post: [FakeReply])>

    init(
        get: [FakeReply], workers: [FakeReply] = [.json(404, #"{"error":"not found"}"#)],
        post: [FakeReply] = [.json(500, #"{"error":"POST not expected"}"#)]
    ) {
        state = Mutex((get, workers, post))
    }

    func reply(to request: RecordedRequest) -> FakeReply {
        state.withLock { state in
            if request.method == "POST" {
                return state.post.count > 1 ? state.post.removeFirst() : state.post[0]
            }
            if request.target.hasPrefix("/workers/") {
                return state.workers.count > 1 ? state.workers.removeFirst() : state.workers[0]
            }
            return state.get.count > 1 ? state.get.removeFirst() : state.get[0]
        }
    }
}

enum RegistryFixtures {
    static let pubkey = String(repeating: "ab", count: 32)
    /// The first EIP-55 example, given all lower-case as operators often paste it.
    static let owner = try! EthereumAddress.parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
    static let allowAll = #"{"read":{"mode":"AllowAll"},"write":{"mode":"AllowAll"}}"#
    static let pending = #"{"read":{"mode":"AllowAll"},"write":{"mode":"Allow","topics":[]},"ttl":300}"#

    /// The v0.2 registry's `GET /workers/<pubkey>` body.
    static func record(owner: String = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", nodeType: String = "node-H100x1", minted: Bool = false) -> String {
        let mint = minted ? #""0xabc""# : "null"
        return #"{"pubkey":"\#(pubkey)","owner":"\#(owner)","node_type":"\#(nodeType)","mint_tx_hash":\#(mint)}"#
    }

    /// Back-off fast enough for tests, without jitter.
    static func fastBackoff(
        budget: Duration = .seconds(5), initial: Duration = .milliseconds(10), cap: Duration = .milliseconds(50)
    ) -> BackoffPolicy {
        BackoffPolicy(initialDelay: initial, maximumDelay: cap, budget: budget, random: { 0 })
    }

    static func registration(
        baseURL: String, backoff: BackoffPolicy = fastBackoff(), sink: CollectingSink,
        http: HTTPClientConfiguration = HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: .seconds(2)),
        headerProvider: RegistryClient.HeaderProvider? = nil
    ) throws -> WorkerRegistration {
        let client = RegistryClient(
            baseURL: try HTTPURL.parse(baseURL, setting: "REGISTRY_URL"), http: HTTPClient(configuration: http),
            headerProvider: headerProvider)
        return WorkerRegistration(
            client: client, owner: owner, nodeType: .known("node-H100x1"), backoff: backoff,
            logger: Logger(level: .debug, sink: sink))
    }

    /// Runs a registration against `script` that must fail: what it threw, what the registry was asked and
    /// the log.
    static func failedRegistration(
        _ script: ScriptedRegistry, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (error: RegistrationError?, requests: [RecordedRequest], sink: CollectingSink) {
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        let registration = try registration(baseURL: server.baseURL, sink: sink)
        let error = #expect(throws: RegistrationError.self, sourceLocation: sourceLocation) {
            try registration.run(pubkey: pubkey, stop: StopSignal())
        }
        return (error, server.requests, sink)
    }
}
