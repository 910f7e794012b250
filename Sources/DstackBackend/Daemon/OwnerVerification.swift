/// Compares the registry's owner with `OWNER_ADDRESS` in the background, for a worker the registry authorizes
/// but whose record (`GET /workers/<pubkey>`) could not be read at start.
///
/// Retries with back-off (`BackoffPolicy`'s delays, no budget: it goes on until it has an answer) while the
/// node serves; `dstack_backend_registry_owner_verified` is 0 until then. A record naming another owner stops
/// the daemon with exit 78, the same rule as at start.
struct OwnerVerification: Sendable {
    let client: RegistryClient
    let pubkey: String
    let owner: EthereumAddress
    let backoff: BackoffPolicy
    let metrics: DaemonMetrics
    let nodeTypes: NodeTypeCheck
    let logger: Logger
    /// Called once with the mismatch; the daemon logs it, stops and exits 78.
    let onMismatch: @Sendable (RegistrationError) -> Void

    func run(until stop: StopSignal) {
        var failures = 0
        var delay = backoff.delay(afterAttempt: 1)
        while !stop.wait(for: delay) {
            do {
                return finish(try client.worker(pubkey: pubkey))
            } catch {
                if stop.isStopped { return }
                failures += 1
                delay = backoff.delay(afterAttempt: failures + 1)
                logger.warn(
                    "Still cannot compare the registry's owner of this worker", ("reason", error.description),
                    ("attempt", String(failures + 1)), ("retry.in", SettingParsers.format(delay)))
            }
        }
    }

    /// Ends the comparison with the registry's answer.
    private func finish(_ lookup: WorkerLookup) {
        switch lookup {
        case .found(let record):
            if let mismatch = WorkerRegistration.ownerMismatch(record, owner: owner, pubkey: pubkey) {
                onMismatch(mismatch)
                return
            }
            logger.info(
                "Registry owner verified: the record names OWNER_ADDRESS", ("registry.owner", record.printableOwner),
                ("registry.node_type", record.nodeType ?? "(none)"), ("registry.minted", String(record.isMinted)))
            nodeTypes.learn(record: record)
        case .notFound:
            logger.info("Registry has no record of this worker at GET /workers/<pubkey>; the owner is not compared")
        case .unusable(let reason):
            logger.info("Registry answers GET /workers/<pubkey> without a worker record; the owner is not compared", ("reason", reason))
        }
        metrics.registryOwnerVerified.set(1)
    }
}
