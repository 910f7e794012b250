import FoundationEssentials
import Synchronization

/// Everything `/metrics` reports, updated lock-free by the poller, the registry flow and the server.
///
/// Rendering happens per scrape (not on the /health hot path), so it may allocate.
final class DaemonMetrics: Sendable {
    let startTime: Double
    let dstackUp = Gauge()
    let pollOK = Counter()
    let pollError = Counter()
    let pollDuration = Histogram()
    let lastSuccess = Gauge()
    let gpusFree = Gauge()
    let gpusBusy = Gauge()
    let registryAuthorized = Gauge()
    /// 1 once the registry's owner of this worker is settled (it names OWNER_ADDRESS, or the registry keeps
    /// no record to compare); 0 while `GET /workers/<pubkey>` fails and the comparison is retried.
    let registryOwnerVerified = Gauge()
    /// Registry requests by outcome: `ok`, `retryable_error`, `rejected`.
    let registrationAttempts: [(result: String, counter: Counter)]
    /// The server's own counts; set once the server exists.
    private let server = Mutex<ServerStats?>(nil)
    /// The node's registry identity for `dstack_backend_info`; set once the node type is known.
    private let identity = Mutex<(pubkey: String, nodeType: String)?>(nil)

    static let registrationResults = ["ok", "retryable_error", "rejected"]

    init(startTime: Double = Date.now.timeIntervalSince1970) {
        self.startTime = startTime
        registrationAttempts = Self.registrationResults.map { ($0, Counter()) }
    }

    func attachServer(_ stats: ServerStats) {
        server.withLock { $0 = stats }
    }

    /// Sets the labels of `dstack_backend_info` (the pubkey and node type the node registers with).
    func setIdentity(pubkey: String, nodeType: String) {
        identity.withLock { $0 = (pubkey, nodeType) }
    }

    /// Counts one registry request outcome (unknown labels count as `rejected`).
    func recordRegistrationAttempt(_ result: String) {
        (registrationAttempts.first { $0.result == result } ?? registrationAttempts[2]).counter.increment()
    }

    /// Updates the dstack series from one poll.
    func recordPoll(succeeded: Bool, duration: Duration, free: Int, busy: Int) {
        pollDuration.observe(duration.inSeconds)
        if succeeded {
            pollOK.increment()
            dstackUp.set(1)
            lastSuccess.set(Date.now.timeIntervalSince1970)
            gpusFree.set(Double(free))
            gpusBusy.set(Double(busy))
        } else {
            pollError.increment()
            dstackUp.set(0)
        }
    }

    /// The Prometheus text of every series.
    func render() -> String {
        var out = PrometheusText()
        out.family("dstack_backend_build_info", .gauge, help: "Build information; always 1.")
        out.sample("dstack_backend_build_info", [("version", BuildInfo.version)], 1)
        out.family("dstack_backend_start_time_seconds", .gauge, help: "Start time of the process, Unix seconds.")
        out.sample("dstack_backend_start_time_seconds", [], startTime)
        if let identity = identity.withLock({ $0 }) {
            out.family(
                "dstack_backend_info", .gauge,
                help: "The node's registry identity (join a host to its pubkey and node type); always 1.")
            out.sample(
                "dstack_backend_info",
                [("pubkey", identity.pubkey), ("node_type", identity.nodeType), ("version", BuildInfo.version)], 1)
        }

        out.family("dstack_backend_dstack_up", .gauge, help: "1 if the last dstack VMM poll succeeded.")
        out.sample("dstack_backend_dstack_up", [], dstackUp.current)
        out.family("dstack_backend_dstack_poll_total", .counter, help: "dstack VMM polls by result.")
        out.sample("dstack_backend_dstack_poll_total", [("result", "ok")], pollOK.current)
        out.sample("dstack_backend_dstack_poll_total", [("result", "error")], pollError.current)
        out.family("dstack_backend_dstack_poll_duration_seconds", .histogram, help: "Duration of dstack VMM polls.")
        pollDuration.write("dstack_backend_dstack_poll_duration_seconds", to: &out)
        out.family(
            "dstack_backend_dstack_last_success_timestamp_seconds", .gauge,
            help: "Time of the last successful dstack VMM poll, Unix seconds (0: none yet).")
        out.sample("dstack_backend_dstack_last_success_timestamp_seconds", [], lastSuccess.current)
        out.family("dstack_backend_gpus", .gauge, help: "GPUs reported by the last successful poll, by state.")
        out.sample("dstack_backend_gpus", [("state", "free")], gpusFree.current)
        out.sample("dstack_backend_gpus", [("state", "busy")], gpusBusy.current)

        out.family(
            "dstack_backend_registry_authorized", .gauge,
            help: "1 if the registry's last /permissions answer authorized this worker.")
        out.sample("dstack_backend_registry_authorized", [], registryAuthorized.current)
        out.family(
            "dstack_backend_registry_owner_verified", .gauge,
            help: "Whether the registry's owner of this worker is settled: 1 when its record names OWNER_ADDRESS (or it keeps none to compare), 0 while GET /workers/<pubkey> fails and is retried.")
        out.sample("dstack_backend_registry_owner_verified", [], registryOwnerVerified.current)
        out.family(
            "dstack_backend_registration_attempts_total", .counter, help: "Registry requests by outcome.")
        for (result, counter) in registrationAttempts {
            out.sample("dstack_backend_registration_attempts_total", [("result", result)], counter.current)
        }

        if let stats = server.withLock({ $0 }) {
            Self.writeServer(stats, to: &out)
        }
        ProcessMetrics.current().write(to: &out)
        return out.text
    }

    /// The HTTP server's families (written only once a server is attached).
    static func writeServer(_ stats: ServerStats, to out: inout PrometheusText) {
        out.family("dstack_backend_http_requests_total", .counter, help: "HTTP requests answered, by path and status.")
        for entry in stats.requestCounts() {
            out.sample("dstack_backend_http_requests_total", [("path", entry.path), ("code", entry.code)], entry.count)
        }
        out.family("dstack_backend_http_connections", .gauge, help: "Open HTTP connections.")
        out.sample("dstack_backend_http_connections", [], stats.openConnections.current)
        out.family("dstack_backend_http_rejected_total", .counter, help: "HTTP requests or connections refused, by reason.")
        for entry in stats.rejectionCounts() {
            out.sample("dstack_backend_http_rejected_total", [("reason", entry.reason)], entry.count)
        }
        out.family(
            "dstack_backend_http_idle_evictions_total", .counter,
            help: "Idle keep-alive HTTP connections closed at MAX_CONNECTIONS to admit a new one.")
        out.sample("dstack_backend_http_idle_evictions_total", [], stats.idleEvictions.current)
    }
}
