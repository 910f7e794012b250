import Synchronization

/// The node type once it is known, and its comparison with the registry's record once both are.
///
/// With `NODE_TYPE=auto` the type comes from the first VMM poll that succeeds, which may come after the node
/// serves (a worker the registry knows does not wait for the VMM); the record may come late too (a lookup
/// that failed at start is retried in the background). Whichever arrives second compares them, once.
final class NodeTypeCheck: Sendable {
    private struct State {
        var nodeType: String?
        /// Why the GPUs name no type, once seen (logged once).
        var failure: NodeTypeDetection.Failure?
        var record: WorkerRecord?
        var compared = false
        /// Registered without the type: every later successful poll derives it until one does.
        var derivesFromPolls = false

        /// The record to compare now that both are known, once; nil when one is missing or it was done.
        mutating func takeComparison() -> (WorkerRecord, String)? {
            guard !compared, let nodeType, let record else { return nil }
            compared = true
            return (record, nodeType)
        }
    }

    private let state = Mutex(State())
    private let pubkey: String
    private let metrics: DaemonMetrics
    private let logger: Logger

    init(pubkey: String, metrics: DaemonMetrics, logger: Logger) {
        self.pubkey = pubkey
        self.metrics = metrics
        self.logger = logger
    }

    /// The node type, once known.
    var nodeType: String? { state.withLock { $0.nodeType } }

    /// Why the GPUs the VMM listed name no type, if that is what the last derivation found.
    var failure: NodeTypeDetection.Failure? { state.withLock { $0.failure } }

    /// The type is known (configured, or derived): `dstack_backend_info` gets it, and the record, if there is
    /// one, is compared with it.
    func learn(nodeType: String) {
        let (first, compare) = state.withLock { state -> (Bool, (WorkerRecord, String)?) in
            guard state.nodeType == nil else { return (false, nil) }
            state.nodeType = nodeType
            state.failure = nil
            return (true, state.takeComparison())
        }
        if first { metrics.setIdentity(pubkey: pubkey, nodeType: nodeType) }
        if let (record, nodeType) = compare {
            WorkerRegistration.warnIfNodeTypeDiffers(record, from: nodeType, logger: logger)
        }
    }

    /// The registry's record of this worker: compared with the type if it is known.
    func learn(record: WorkerRecord) {
        let compare = state.withLock { state -> (WorkerRecord, String)? in
            guard state.record == nil else { return nil }
            state.record = record
            return state.takeComparison()
        }
        if let (record, nodeType) = compare {
            WorkerRegistration.warnIfNodeTypeDiffers(record, from: nodeType, logger: logger)
        }
    }

    /// Registered before the VMM answered: the polls from now on derive the type, until one does.
    func deriveFromLaterPolls() {
        state.withLock { $0.derivesFromPolls = true }
    }

    /// Every successful poll: derives the type when `deriveFromLaterPolls` asked for it and it is not known.
    func observe(_ list: GPUList) {
        let wanted = state.withLock { $0.derivesFromPolls && $0.nodeType == nil }
        if wanted { derive(from: list, registered: true) }
    }

    /// `NODE_TYPE=auto`: derives the type from a successful poll, once. Logs the type, or (once) why the GPUs
    /// name none; `registered` says whether that only costs the comparison (warning) or stops registration.
    @discardableResult
    func derive(from list: GPUList, registered: Bool) -> String? {
        if let known = nodeType { return known }
        switch NodeTypeDetection.derive(list.gpus.map { ($0.productID, $0.description) }) {
        case .success(let type):
            logger.info("Derived NODE_TYPE from the GPUs", ("node_type", type))
            learn(nodeType: type)
            return type
        case .failure(let failure):
            let first = state.withLock { state -> Bool in
                defer { state.failure = failure }
                return state.failure != failure
            }
            if first && registered {
                logger.warn(
                    "Cannot derive NODE_TYPE; the worker is registered already, so only the comparison with the registry's node type is skipped",
                    ("reason", failure.description))
            }
            return nil
        }
    }
}

/// Derives `NODE_TYPE` from the GPUs the VMM lists, as the later reference did: `node-<model>x<count>`.
///
/// The model comes from the name in the lspci description (`NVIDIA Corporation GH100 [H200 SXM 141GB]`
/// is an H200; the chip name `GH100` is not a model) or, when the host's pci.ids is too old to name it,
/// from the few PCI IDs that are certain. Anything mixed or unknown is refused: a wrong type registers
/// the node wrongly, so we ask the operator rather than guess.
enum NodeTypeDetection {
    /// The models the registry knows.
    static let models = ["H100", "H200", "B200"]

    /// PCI IDs whose model is certain (dstack's default listing names 10de:2335 as H200).
    static let modelsByProductID = ["10de:2335": "H200", "10de:2330": "H100", "10de:2331": "H100"]

    struct Failure: Error, Equatable, CustomStringConvertible, Sendable {
        /// What the VMM listed, one entry per distinct GPU kind, e.g. `2x 10de:1234 "NVIDIA ... [L40S]"`.
        let seen: [String]

        var description: String {
            "cannot derive NODE_TYPE from the GPUs the VMM lists (\(seen.joined(separator: "; "))): "
                + "set NODE_TYPE explicitly, e.g. node-H100x8 or CPU"
        }
    }

    /// `node-<model>x<count>`, `CPU` for no GPUs, or a failure listing what was seen.
    static func derive(_ gpus: [(productID: String, description: String)]) -> Result<String, Failure> {
        guard !gpus.isEmpty else { return .success("CPU") }
        let found = gpus.map { model(productID: $0.productID, description: $0.description) }
        if let first = found[0], found.allSatisfy({ $0 == first }) {
            return .success("node-\(first)x\(gpus.count)")
        }
        var counts: [(String, Int)] = []
        for gpu in gpus {
            let label = "\(gpu.productID) \"\(gpu.description)\""
            if let index = counts.firstIndex(where: { $0.0 == label }) {
                counts[index].1 += 1
            } else {
                counts.append((label, 1))
            }
        }
        return .failure(Failure(seen: counts.map { "\($0.1)x \($0.0)" }))
    }

    /// The model of one GPU, or nil when it is none of `models` or cannot be told.
    static func model(productID: String, description: String) -> String? {
        let named = models.filter { containsWord($0, in: description) }
        if named.count == 1 { return named[0] }
        if named.count > 1 { return nil }
        return modelsByProductID[productID.lowercased()]
    }

    /// Whether `word` stands in `text` with no letter or digit right before or after it.
    static func containsWord(_ word: String, in text: String) -> Bool {
        let haystack = Array(text.uppercased().utf8)
        let needle = Array(word.utf8)
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            let before = start == 0 || !haystack[start - 1].isASCIIAlphanumeric
            let end = start + needle.count
            let after = end == haystack.count || !haystack[end].isASCIIAlphanumeric
            if before && after { return true }
        }
        return false
    }

    /// A warning text when an explicit `NODE_TYPE` disagrees with the GPUs, nil when it agrees or
    /// the GPUs say nothing certain.
    static func mismatch(configured: String, gpus: [(productID: String, description: String)]) -> String? {
        guard case .success(let detected) = derive(gpus), detected != configured else { return nil }
        return detected
    }
}
