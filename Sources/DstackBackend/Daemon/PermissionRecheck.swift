/// Re-asks the registry every `REGISTRY_RECHECK_INTERVAL` whether this worker may still publish, so a
/// revoked permission shows in `dstack_backend_registry_authorized` and in the log.
struct PermissionRecheck: Sendable {
    let client: RegistryClient
    let pubkey: String
    let interval: Double
    let metrics: DaemonMetrics
    let logger: Logger

    func run(until stop: StopSignal) {
        var authorized = true
        while !stop.wait(seconds: interval) {
            do {
                let now = try client.permissions(pubkey: pubkey).isRegistered
                metrics.registryAuthorized.set(now ? 1 : 0)
                if now != authorized {
                    if now {
                        logger.info("Registry authorizes the worker again")
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
