import DstackBackend
import Synchronization

/// A stand-in for the registry: `GET /permissions/<pubkey>` and `POST /workers`, workers kept in memory.
///
/// `/permissions` answers in the messaging network's auth-service shape
/// (`{"read":{"mode":"AllowAll"},"write":{"mode":"AllowAll"}}`) once a worker is registered, 404 before.
/// `POST /sim/revoke/<pubkey>` forgets a worker, so a revoked node can be shown.
public final class SimulatedRegistry: Sendable {
    public struct Worker: Sendable, Equatable {
        public let pubkey: String
        public let owner: String
        public let nodeType: String
    }

    private let workers = Mutex<[Worker]>([])
    private let postCount = Atomic<Int>(0)

    public init() {}

    public var registeredWorkers: [Worker] { workers.withLock { $0 } }

    /// How many `POST /workers` calls arrived, valid or not.
    public var registrationPosts: Int { postCount.load(ordering: .relaxed) }

    public func isRegistered(_ pubkey: String) -> Bool {
        workers.withLock { $0.contains { $0.pubkey == pubkey } }
    }

    public func respond(to request: SimulatorRequest) -> PreparedResponse {
        let permissionsPrefix = "/permissions/"
        let revokePrefix = "/sim/revoke/"
        if request.method == "GET" && request.path.hasPrefix(permissionsPrefix) {
            let pubkey = String(request.path.dropFirst(permissionsPrefix.count))
            guard isRegistered(pubkey) else {
                return PreparedResponse.jsonError(status: 404, message: "unknown pubkey")
            }
            return PreparedResponse(
                status: 200, contentType: "application/json",
                text: #"{"read":{"mode":"AllowAll"},"write":{"mode":"AllowAll"}}"#)
        }
        if request.path == "/workers" {
            switch request.method {
            case "POST": return register(request.body)
            case "GET": return list()
            default: return PreparedResponse.jsonError(status: 405, message: "use GET or POST", headers: [("Allow", "GET, POST")])
            }
        }
        if request.method == "POST" && request.path.hasPrefix(revokePrefix) {
            let pubkey = String(request.path.dropFirst(revokePrefix.count))
            let removed = workers.withLock { list in
                let before = list.count
                list.removeAll { $0.pubkey == pubkey }
                return before != list.count
            }
            return PreparedResponse(status: removed ? 200 : 404, contentType: "text/plain", text: removed ? "revoked\n" : "unknown pubkey\n")
        }
        return PreparedResponse.jsonError(status: 404, message: "not found")
    }

    private func register(_ body: [UInt8]) -> PreparedResponse {
        postCount.add(1, ordering: .relaxed)
        guard let json = try? JSONValue.parse(body) else {
            return PreparedResponse.jsonError(status: 400, message: "body is not JSON")
        }
        guard let pubkey = json["pubkey"]?.stringValue, pubkey.utf8.count == 64,
            pubkey.utf8.allSatisfy({ Hex.value(ofDigit: $0) != nil && !($0 >= 0x41 && $0 <= 0x46) })
        else {
            return PreparedResponse.jsonError(status: 400, message: "pubkey must be 64 lower-case hex digits")
        }
        guard let owner = json["owner"]?.stringValue, owner.hasPrefix("0x"), owner.utf8.count == 42,
            Hex.decode(owner.dropFirst(2)) != nil
        else {
            return PreparedResponse.jsonError(status: 400, message: "owner must be 0x and 40 hex digits")
        }
        guard let nodeType = json["node_type"]?.stringValue, !nodeType.isEmpty else {
            return PreparedResponse.jsonError(status: 400, message: "node_type is required")
        }
        workers.withLock { list in
            list.removeAll { $0.pubkey == pubkey }
            list.append(Worker(pubkey: pubkey, owner: owner, nodeType: nodeType))
        }
        return PreparedResponse(status: 201, contentType: "application/json", text: #"{"status":"registered"}"#)
    }

    private func list() -> PreparedResponse {
        var writer = JSONWriter()
        writer.beginArray()
        for worker in registeredWorkers {
            writer.beginObject()
            writer.key("pubkey")
            writer.string(worker.pubkey)
            writer.key("owner")
            writer.string(worker.owner)
            writer.key("node_type")
            writer.string(worker.nodeType)
            writer.endObject()
        }
        writer.endArray()
        return PreparedResponse(status: 200, contentType: "application/json", body: writer.bytes)
    }
}
