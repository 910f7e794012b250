/// Re-asks the registry every `REGISTRY_RECHECK_INTERVAL` whether this worker may publish, so an approval
/// or a revocation shows in `dstack_backend_registry_authorized` and in the log (once per change).
struct PermissionRecheck: Sendable {
    let client: RegistryClient
    let pubkey: String
    let interval: Duration
    let metrics: DaemonMetrics
    let logger: Logger
    /// What start-up registration found; the first change from it is logged.
    let initial: RegistrationOutcome

    /// What to do when the permission is gone; the daemon itself cannot re-grant it.
    static let revokedFix =
        "ask the registry's operator why this pubkey lost write permission (quote the pubkey and OWNER_ADDRESS);"
        + " restarting does not help, since the worker stays registered; /health keeps serving and the"
        + " permission is re-checked every REGISTRY_RECHECK_INTERVAL"

    func run(until stop: StopSignal) {
        var authorized = initial == .authorized
        while !stop.wait(for: interval) {
            do {
                let now = try client.permissions(pubkey: pubkey).isRegistered
                metrics.registryAuthorized.set(now ? 1 : 0)
                if now != authorized {
                    if now {
                        logger.info(WorkerRegistration.authorizedMessage, ("pubkey", pubkey))
                    } else {
                        logger.warn(
                            "Registry no longer authorizes the worker", ("pubkey", pubkey),
                            ("registry.url", client.baseURL.description),
                            ("impact", "dephy-worker cannot publish for this node"), ("fix", Self.revokedFix))
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
