/// Re-asks the registry every `REGISTRY_RECHECK_INTERVAL` whether this worker may publish, so an approval
/// or a revocation shows in `dstack_backend_registry_authorized` and in the log (once per change).
struct PermissionRecheck: Sendable {
    let client: RegistryClient
    let pubkey: String
    let interval: Double
    let metrics: DaemonMetrics
    let logger: Logger
    /// What start-up registration found; the first change from it is logged.
    let initial: RegistrationOutcome

    func run(until stop: StopSignal) {
        var authorized = initial == .authorized
        while !stop.wait(seconds: interval) {
            do {
                let now = try client.permissions(pubkey: pubkey).isRegistered
                metrics.registryAuthorized.set(now ? 1 : 0)
                if now != authorized {
                    if now {
                        logger.info(WorkerRegistration.authorizedMessage, ("pubkey", pubkey))
                    } else {
                        logger.warn("Registry no longer authorizes the worker", ("pubkey", pubkey))
                    }
                    authorized = now
                }
            } catch {
                if stop.isStopped { return }
                logger.warn("Could not re-check the worker's registry permissions", ("reason", error.description))
            }
        }
    }
}
