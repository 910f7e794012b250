/// What `GET /workers/{pubkey}` says about this worker (the v0.2 registry's endpoint).
///
/// The body is `{"pubkey","owner","node_type","mint_tx_hash"}`; `mint_tx_hash` is null while the
/// registry is still minting. Registries of the v0.1 generation have no such endpoint: they answer 404
/// for every key, or something that is not a worker record, and the owner cannot be compared there.
public enum WorkerLookup: Sendable, Equatable {
    /// The registry holds a record for this worker.
    case found(WorkerRecord)
    /// HTTP 404: no record for this key (or no such endpoint: a v0.1 registry says the same).
    case notFound
    /// An answer that is not a worker record (not JSON, another key, HTTP 405, ...): nothing to compare.
    case unusable(reason: String)

    /// The record, when there is one.
    var record: WorkerRecord? {
        if case .found(let record) = self { return record }
        return nil
    }

    /// Reads a 2xx body for `pubkey`: a JSON object with an `owner` string, at the top or under `worker`.
    static func parse(_ body: [UInt8], pubkey: String) -> WorkerLookup {
        guard let answer = try? JSONDocument.decode(WorkerAnswer.self, from: body) else {
            return .unusable(reason: "the answer is not JSON")
        }
        let object = answer.top.hasOwner ? answer.top : (answer.worker ?? answer.top)
        guard let owner = object.owner else {
            return .unusable(reason: "the answer has no owner field")
        }
        if let recordKey = object.pubkey, recordKey.lowercased() != pubkey.lowercased() {
            return .unusable(reason: "the answer is the record of another key (\(RegistryError.printableBody(Array(recordKey.utf8))))")
        }
        return .found(WorkerRecord(owner: owner, nodeType: object.nodeType, mintTxHash: object.mintTxHash))
    }
}

/// A `/workers/{pubkey}` answer, read leniently: the record's fields at the top or under `worker`.
private struct WorkerAnswer: Decodable {
    /// A record's fields; a field that is missing or not a string is nil, and a non-object has none.
    struct Fields: Decodable {
        enum CodingKeys: String, CodingKey {
            case owner, pubkey
            case nodeType = "node_type"
            case mintTxHash = "mint_tx_hash"
        }

        /// Whether an `owner` member is there at all, whatever its kind.
        var hasOwner = false
        var owner: String?
        var pubkey: String?
        var nodeType: String?
        var mintTxHash: String?

        init() {}

        init(from decoder: any Decoder) throws {
            guard let fields = try? decoder.container(keyedBy: CodingKeys.self) else { return }
            hasOwner = fields.contains(.owner)
            owner = fields.lenient(String.self, forKey: .owner)
            pubkey = fields.lenient(String.self, forKey: .pubkey)
            nodeType = fields.lenient(String.self, forKey: .nodeType)
            mintTxHash = fields.lenient(String.self, forKey: .mintTxHash)
        }
    }

    enum CodingKeys: String, CodingKey {
        case worker
    }

    let top: Fields
    /// The `worker` member's fields when the member is there (an empty set when it is not an object).
    let worker: Fields?

    init(from decoder: any Decoder) throws {
        top = try Fields(from: decoder)
        let members = try? decoder.container(keyedBy: CodingKeys.self)
        worker = members?.contains(.worker) == true ? members?.lenient(Fields.self, forKey: .worker) ?? Fields() : nil
    }
}

/// The registry's record of one worker.
public struct WorkerRecord: Sendable, Equatable {
    /// The owner stored at the first registration, as the registry spells it.
    let owner: String
    let nodeType: String?
    /// Null until the registry has minted the worker.
    let mintTxHash: String?

    /// Whether the stored owner is `address` (hex compared case-insensitively: EIP-55 is only a checksum).
    /// A stored owner without the `0x` prefix counts as the same address.
    func isOwned(by address: EthereumAddress) -> Bool {
        var stored = owner.trimmingASCIIWhitespace().lowercased()
        if stored.hasPrefix("0x") { stored.removeFirst(2) }
        return stored == String(address.checksummed.lowercased().dropFirst(2))
    }

    /// The stored node type when it is not `configured`, else nil (also when none is stored). The registry
    /// keeps the node type of the first registration: the daemon warns about a difference, `check` shows it.
    func nodeType(differingFrom configured: String) -> String? {
        guard let nodeType, nodeType != configured else { return nil }
        return nodeType
    }

    /// Whether the registry has minted the worker (`mint_tx_hash` is set).
    var isMinted: Bool { mintTxHash != nil }

    /// The stored owner as printable text for logs (a registry may store anything).
    var printableOwner: String { RegistryError.printableBody(Array(owner.utf8)) }

    /// The stored node type as printable text for `check` and logs, escaped like the owner.
    var printableNodeType: String? { nodeType.map { RegistryError.printableBody(Array($0.utf8)) } }
}

/// Where start-up registration left the worker.
public enum RegistrationOutcome: Sendable, Equatable {
    /// `/permissions` says `AllowAll` (or the legacy `registered: true`).
    case authorized
    /// Registered, but the registry does not let it publish yet (approval or minting pending).
    case pending
}

/// What start-up registration found: the outcome and the record lookup, nil when the registry authorizes the
/// worker but `GET /workers/<pubkey>` failed (the owner comparison then goes on in the background).
public struct RegistrationResult: Sendable, Equatable {
    var outcome: RegistrationOutcome
    var lookup: WorkerLookup?
}
