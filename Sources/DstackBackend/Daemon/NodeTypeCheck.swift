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
