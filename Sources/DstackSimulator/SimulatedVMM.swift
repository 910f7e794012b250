import DstackBackend
import Synchronization

/// A stand-in for the dstack VMM's `ListGpus` API that answers like the real one.
///
/// Compact JSON, `X-App-Version` on every answer, 400 with a pretty-printed `{"error": ...}` body on
/// failure and for an unknown method (prpc never answers 404 under `/prpc/`), `Teepod.ListGpus` as a second
/// name (v0.4.2+ trims the prefix), optional bearer-token check (401). `POST /sim/outage` makes it fail
/// until `POST /sim/recover`, so the demo can show `Unavailable`/503 and the way back.
public final class SimulatedVMM: Sendable {
    public struct Options: Sendable {
        var gpus: SimulatedGPUSet
        /// Require `Authorization: Bearer <token>`.
        var token: String?
        var appVersion: String

        public init(gpus: SimulatedGPUSet = .demo, token: String? = nil, appVersion: String = "v0.5.3") {
            self.gpus = gpus
            self.token = token
            self.appVersion = appVersion
        }
    }

    private struct State {
        var options: Options
        var outage: Bool = false
        var requests: Int = 0
    }

    private let state: Mutex<State>

    init(options: Options = Options()) {
        state = Mutex(State(options: options))
    }

    var inOutage: Bool { state.withLock { $0.outage } }

    /// How many ListGpus calls it has answered.
    var listRequests: Int { state.withLock { $0.requests } }

    func setOutage(_ on: Bool) {
        state.withLock { $0.outage = on }
    }

    func setGPUs(_ gpus: SimulatedGPUSet) {
        state.withLock { $0.options.gpus = gpus }
    }

    func respond(to request: SimulatorRequest) -> PreparedResponse {
        let snapshot = state.withLock { $0 }
        let version = [("X-App-Version", snapshot.options.appVersion)]
        switch (request.method, request.path) {
        case ("POST", "/sim/outage"):
            setOutage(true)
            return PreparedResponse(status: 200, contentType: "text/plain", text: "outage on: ListGpus now fails\n")
        case ("POST", "/sim/recover"):
            setOutage(false)
            return PreparedResponse(status: 200, contentType: "text/plain", text: "outage off: ListGpus answers again\n")
        case ("GET", "/sim/state"):
            return PreparedResponse(
                status: 200, contentType: "text/plain",
                text: "outage=\(snapshot.outage) gpus=\(snapshot.options.gpus.count) busy=\(snapshot.options.gpus.busy)\n")
        case (_, "/prpc/ListGpus"), (_, "/prpc/Teepod.ListGpus"):
            guard request.method == "GET" || request.method == "POST" else {
                return Self.error(405, "method not allowed", headers: version)
            }
            if let token = snapshot.options.token, request.header("authorization") != "Bearer \(token)" {
                return PreparedResponse(status: 401, contentType: "text/plain", text: "Unauthorized", headers: version)
            }
            state.withLock { $0.requests += 1 }
            if snapshot.outage {
                return Self.error(400, "simulated outage: the VMM cannot list GPUs (POST /sim/recover ends it)", headers: version)
            }
            return PreparedResponse(
                status: 200, contentType: "application/json", body: snapshot.options.gpus.listGpusJSON, headers: version)
        case (_, let path) where path.hasPrefix("/prpc/"):
            // prpc's dispatch error for a method it does not have.
            return Self.error(400, "NotFound", headers: version)
        default:
            return Self.error(404, "no such path: \(request.path)", headers: version)
        }
    }

    /// The VMM's error shape: pretty-printed `{"error": "..."}`.
    static func error(_ status: Int, _ message: String, headers: [(String, String)]) -> PreparedResponse {
        let body = "{\n  \"error\": \(JSONWriter.quoted(message))\n}"
        return PreparedResponse(status: status, contentType: "application/json", text: body, headers: headers)
    }
}
