import DstackBackend
import Synchronization

/// A stand-in for the registry, in either generation the reference spoke to; workers kept in memory.
///
/// - `GET /permissions/<pubkey>` answers in the messaging network's auth-service shape: write `AllowAll`
///   once a worker is approved, `Allow` with no topics while it is pending, 404 for an unknown key.
/// - `GET /workers/<pubkey>` (generation v0.2 only; v0.1 answers 404 for every key) returns
///   `{"pubkey","owner","node_type","mint_tx_hash"}`.
/// - `POST /workers` stores a worker; a second POST for the same key answers 409, as registries do.
/// - `GET /workers` lists them. `POST /sim/approve/<pubkey>` approves a pending worker,
///   `POST /sim/revoke/<pubkey>` forgets one, so pending, approval and revocation can be shown.
/// - `POST /sim/lookup-failure/<status>` makes `GET /workers/<pubkey>` answer that 5xx status (a half-down
///   registry whose `/permissions` still works) until `POST /sim/lookup-failure/0`.
public final class SimulatedRegistry: Sendable {
    struct Worker: Sendable, Equatable {
        let pubkey: String
        let owner: String
        let nodeType: String
        var approved = true
    }

    /// Which registry protocol it speaks.
    public enum Generation: String, Sendable, CaseIterable {
        /// `/permissions` and `POST /workers` only.
        case v01 = "v0.1"
        /// Also `GET /workers/<pubkey>`.
        case v02 = "v0.2"
    }

    public struct Options: Sendable {
        public var generation: Generation
        /// Whether new workers wait for `POST /sim/approve/<pubkey>` before `/permissions` says AllowAll.
        public var manualApproval: Bool

        public init(generation: Generation = .v02, manualApproval: Bool = false) {
            self.generation = generation
            self.manualApproval = manualApproval
        }
    }

    public let options: Options
    private let workers = Mutex<[Worker]>([])
    private let postCount = Atomic<Int>(0)
    private let permissionCount = Atomic<Int>(0)
    private let lookupCount = Atomic<Int>(0)
    /// The status `GET /workers/<pubkey>` answers instead of the record; 0 for none.
    private let lookupFailure = Atomic<Int>(0)

    init(options: Options = Options()) {
        self.options = options
    }

    var registeredWorkers: [Worker] { workers.withLock { $0 } }

    /// How many `POST /workers` calls arrived, valid or not.
    var registrationPosts: Int { postCount.load(ordering: .relaxed) }

    /// How many `GET /permissions/<pubkey>` and `GET /workers/<pubkey>` calls arrived.
    var permissionChecks: Int { permissionCount.load(ordering: .relaxed) }
    var workerLookups: Int { lookupCount.load(ordering: .relaxed) }

    /// Makes `GET /workers/<pubkey>` answer `status` (500...599) with an error body; nil answers again.
    func failWorkerLookups(status: Int?) {
        lookupFailure.store(status.map { min(max($0, 500), 599) } ?? 0, ordering: .relaxed)
    }

    func isRegistered(_ pubkey: String) -> Bool {
        worker(pubkey) != nil
    }

    func worker(_ pubkey: String) -> Worker? {
        workers.withLock { $0.first { $0.pubkey == pubkey } }
    }

    /// Stores a worker as if it had registered earlier (e.g. with another owner).
    func add(_ worker: Worker) {
        workers.withLock { list in
            list.removeAll { $0.pubkey == worker.pubkey }
            list.append(worker)
        }
    }

    /// Approves a pending worker; false if the key is unknown.
    @discardableResult
    func approve(_ pubkey: String) -> Bool {
        workers.withLock { list in
            guard let index = list.firstIndex(where: { $0.pubkey == pubkey }) else { return false }
            list[index].approved = true
            return true
        }
    }

    func respond(to request: SimulatorRequest) -> PreparedResponse {
        let permissionsPrefix = "/permissions/"
        let workerPrefix = "/workers/"
        let revokePrefix = "/sim/revoke/"
        let approvePrefix = "/sim/approve/"
        let lookupFailurePrefix = "/sim/lookup-failure/"
        if request.method == "GET" && request.path.hasPrefix(permissionsPrefix) {
            permissionCount.add(1, ordering: .relaxed)
            guard let worker = worker(String(request.path.dropFirst(permissionsPrefix.count))) else {
                return PreparedResponse.jsonError(status: 404, message: "unknown pubkey")
            }
            let write = worker.approved ? #"{"mode":"AllowAll"}"# : #"{"mode":"Allow","topics":[]}"#
            return PreparedResponse(
                status: 200, contentType: "application/json", text: #"{"read":{"mode":"AllowAll"},"write":\#(write)}"#)
        }
        if request.method == "GET" && request.path.hasPrefix(workerPrefix) {
            lookupCount.add(1, ordering: .relaxed)
            let failure = lookupFailure.load(ordering: .relaxed)
            if failure != 0 {
                return PreparedResponse.jsonError(status: failure, message: "simulated lookup failure (POST /sim/lookup-failure/0 ends it)")
            }
            guard options.generation == .v02, let worker = worker(String(request.path.dropFirst(workerPrefix.count))) else {
                return PreparedResponse.jsonError(status: 404, message: "not found")
            }
            return PreparedResponse(status: 200, contentType: "application/json", body: Self.record(worker))
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
        if request.method == "POST" && request.path.hasPrefix(lookupFailurePrefix) {
            guard let status = Int(request.path.dropFirst(lookupFailurePrefix.count)), status == 0 || (500...599).contains(status) else {
                return PreparedResponse(status: 400, contentType: "text/plain", text: "use /sim/lookup-failure/<500-599>, or 0 to end it\n")
            }
            failWorkerLookups(status: status == 0 ? nil : status)
            return PreparedResponse(
                status: 200, contentType: "text/plain",
                text: status == 0 ? "GET /workers/<pubkey> answers again\n" : "GET /workers/<pubkey> now answers \(status)\n")
        }
        if request.method == "POST" && request.path.hasPrefix(approvePrefix) {
            let approved = approve(String(request.path.dropFirst(approvePrefix.count)))
            return PreparedResponse(status: approved ? 200 : 404, contentType: "text/plain", text: approved ? "approved\n" : "unknown pubkey\n")
        }
        return PreparedResponse.jsonError(status: 404, message: "not found")
    }

    private func register(_ body: [UInt8]) -> PreparedResponse {
        postCount.add(1, ordering: .relaxed)
        guard let json = try? JSONDocument.decode(Registration.self, from: body) else {
            return PreparedResponse.jsonError(status: 400, message: "body is not JSON")
        }
        guard let pubkey = json.pubkey, pubkey.utf8.count == 64,
            pubkey.utf8.allSatisfy({ Hex.value(ofDigit: $0) != nil && !($0 >= 0x41 && $0 <= 0x46) })
        else {
            return PreparedResponse.jsonError(status: 400, message: "pubkey must be 64 lower-case hex digits")
        }
        guard let owner = json.owner, owner.hasPrefix("0x"), owner.utf8.count == 42,
            Hex.decode(owner.dropFirst(2)) != nil
        else {
            return PreparedResponse.jsonError(status: 400, message: "owner must be 0x and 40 hex digits")
        }
        guard let nodeType = json.nodeType, !nodeType.isEmpty else {
            return PreparedResponse.jsonError(status: 400, message: "node_type is required")
        }
        let added = workers.withLock { list in
            if list.contains(where: { $0.pubkey == pubkey }) { return false }
            list.append(Worker(pubkey: pubkey, owner: owner, nodeType: nodeType, approved: !options.manualApproval))
            return true
        }
        guard added else {
            return PreparedResponse.jsonError(status: 409, message: "worker already registered")
        }
        return PreparedResponse(status: 201, contentType: "application/json", text: #"{"status":"registered"}"#)
    }

    /// A registration body's fields, each nil when missing or not a string (the checks above name it).
    private struct Registration: Decodable {
        enum CodingKeys: String, CodingKey {
            case pubkey, owner
            case nodeType = "node_type"
        }

        let pubkey: String?
        let owner: String?
        let nodeType: String?

        init(from decoder: any Decoder) throws {
            let fields = try? decoder.container(keyedBy: CodingKeys.self)
            pubkey = fields?.lenient(String.self, forKey: .pubkey)
            owner = fields?.lenient(String.self, forKey: .owner)
            nodeType = fields?.lenient(String.self, forKey: .nodeType)
        }
    }

    /// The fields the worker was registered with, as the registry's `/workers` answers name them.
    private static func writeIdentity(_ worker: Worker, to writer: inout JSONWriter) {
        writer.key("pubkey")
        writer.string(worker.pubkey)
        writer.key("owner")
        writer.string(worker.owner)
        writer.key("node_type")
        writer.string(worker.nodeType)
    }

    /// The v0.2 record: `mint_tx_hash` is null until the worker is approved.
    private static func record(_ worker: Worker) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writeIdentity(worker, to: &writer)
        writer.key("mint_tx_hash")
        if worker.approved {
            writer.string("0x" + String(worker.pubkey.prefix(64)))
        } else {
            writer.null()
        }
        writer.endObject()
        return writer.bytes
    }

    private func list() -> PreparedResponse {
        var writer = JSONWriter()
        writer.beginArray()
        for worker in registeredWorkers {
            writer.beginObject()
            Self.writeIdentity(worker, to: &writer)
            writer.key("approved")
            writer.bool(worker.approved)
            writer.endObject()
        }
        writer.endArray()
        return PreparedResponse(status: 200, contentType: "application/json", body: writer.bytes)
    }
}
