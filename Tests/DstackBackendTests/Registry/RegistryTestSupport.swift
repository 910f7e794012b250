import Synchronization
@testable import DstackBackend

/// Replies for GET and POST in order; the last one repeats once a list runs out.
final class ScriptedRegistry: Sendable {
    private let state: Mutex<(get: [FakeReply], post: [FakeReply])>

    init(get: [FakeReply], post: [FakeReply] = [.json(500, #"{"error":"POST not expected"}"#)]) {
        state = Mutex((get, post))
    }

    func reply(to request: RecordedRequest) -> FakeReply {
        state.withLock { state in
            if request.method == "POST" {
                return state.post.count > 1 ? state.post.removeFirst() : state.post[0]
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

    /// Back-off fast enough for tests, without jitter.
    static func fastBackoff(budget: Double = 5, initial: Double = 0.01, cap: Double = 0.05) -> BackoffPolicy {
        BackoffPolicy(initialDelay: initial, maximumDelay: cap, budget: budget, random: { 0 })
    }

    static func registration(
        baseURL: String, backoff: BackoffPolicy = fastBackoff(), sink: CollectingSink,
        http: HTTPClientConfiguration = HTTPClientConfiguration(connectTimeout: 1, totalTimeout: 2),
        headerProvider: RegistryClient.HeaderProvider? = nil
    ) throws -> WorkerRegistration {
        let client = RegistryClient(
            baseURL: try HTTPURL.parse(baseURL, setting: "REGISTRY_URL"), http: HTTPClient(configuration: http),
            headerProvider: headerProvider)
        return WorkerRegistration(
            client: client, owner: owner, nodeType: "node-H100x1", backoff: backoff,
            logger: Logger(level: .debug, sink: sink))
    }
}
