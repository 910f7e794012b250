#if canImport(Glibc)
import Glibc
#endif

/// The `listen address` line: whether the daemon could listen on `LISTEN_ADDR` now.
///
/// An address in use is this daemon already running when what listens there answers `/health` with this
/// node's pubkey (`docker compose exec … check` is run exactly then): `[ ok ]`. Anything else there makes the
/// daemon exit with `Cannot listen …`, so it is a `[FAIL]` whose hint names who holds the address.
extension OperatorCheck {
    /// How long `check` waits for `/health` from what already listens on `LISTEN_ADDR`.
    static let healthProbeTimeout = Duration.seconds(2)

    func listenAddressResult(pubkey: String?) -> Result {
        let address = configuration.listenAddress
        switch address {
        case .inet(_, let port):
            do {
                // Bound and released at once (deinit closes it): bind is what fails for a port in use.
                _ = try BoundListener.bind(address)
                return Result(name: "listen address", status: .ok, detail: "\(address) is free", hint: nil)
            } catch {
                if error.reason.contains(SystemError(call: "bind", errno: EADDRINUSE).reason) {
                    return inUse(detail: error.description, pubkey: pubkey, holder: ListenerHolder.tcp(port: port))
                }
                let denied = error.reason.contains(SystemError(call: "bind", errno: EACCES).reason)
                return Result(
                    name: "listen address", status: .fail, detail: error.description,
                    hint: denied
                        ? "ports below 1024 need root or CAP_NET_BIND_SERVICE: use a port from 1024 up, e.g. 0.0.0.0:8080"
                        : "set LISTEN_ADDR to an address of this host, e.g. 0.0.0.0:8080")
            }
        case .unix(let path):
            // Never bind here: the server replaces a stale socket file, and check must not touch a live one.
            // liveSocketUser also sees an instance still registering (bound, not listening yet).
            guard let user = ListeningSocket.liveSocketUser(path) else {
                return Result(name: "listen address", status: .ok, detail: "\(address) is free", hint: nil)
            }
            return inUse(detail: "\(address) is in use: \(user)", pubkey: pubkey, holder: ListenerHolder.unix(path: path))
        }
    }

    /// The line for an address something already holds: ok when it is this daemon, a failure otherwise.
    private func inUse(detail: String, pubkey: String?, holder: ListenerHolder?) -> Result {
        let address = configuration.listenAddress
        let answer = Self.healthAnswer(at: address)
        if let pubkey, let answer, answer.pubkeys.contains(pubkey) {
            return Result(
                name: "listen address", status: .ok,
                detail: "\(address) is served by this daemon, already running (its /health names this node's pubkey)",
                hint: nil)
        }
        let what: String =
            switch answer {
            case .some(let other) where pubkey == nil:
                "; a dstack-backend answers /health there (pubkey \(other.pubkeys.joined(separator: ","))), but this node's key could not be loaded to compare"
            case .some(let other):
                "; another dstack-backend answers /health there (pubkey \(other.pubkeys.joined(separator: ",")), not this node's), so the daemon would exit"
            case .none:
                "; what holds it does not answer /health as dstack-backend does, so the daemon would exit"
            }
        let who = holder.map { "held by \($0)" } ?? "who holds it is not visible to this user"
        let show =
            switch address {
            case .inet(_, let port): "`sudo ss -ltnp 'sport = :\(port)'`"
            case .unix(let path): "`sudo ss -xlp src \(path)`"
            }
        return Result(
            name: "listen address", status: .fail, detail: detail + what,
            hint: "\(who) (\(show) shows it): stop it, or set LISTEN_ADDR to a free address")
    }

    /// `/health`'s pubkeys from what listens at `address`, nil when it does not answer as dstack-backend does.
    static func healthAnswer(at address: ListenAddress) -> HealthPubkeys? {
        let http = HTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: healthProbeTimeout, totalTimeout: healthProbeTimeout))
        let request: HTTPClientRequest =
            switch address {
            case .inet(let host, let port):
                HTTPClientRequest(url: "http://\(Self.connectHost(host)):\(port)/health")
            case .unix(let path):
                HTTPClientRequest(url: "http://localhost/health", unixSocketPath: path)
            }
        guard let response = try? http.perform(request), response.status == 200 || response.status == 503,
            let answer = try? JSONDocument.decode(HealthPubkeys.self, from: response.body)
        else { return nil }
        return answer
    }

    /// The host to connect to for a listen host: loopback for the wildcard addresses, brackets for IPv6.
    static func connectHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        case _ where host.contains(":"): "[\(host)]"
        default: host
        }
    }

    /// The part of `/health`'s BackendInfo that tells this daemon from another.
    struct HealthPubkeys: Decodable {
        let pubkeys: [String]
    }
}
