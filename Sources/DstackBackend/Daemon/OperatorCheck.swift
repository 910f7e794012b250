#if canImport(Glibc)
import Glibc
#endif

/// `dstack-backend check`: one line per check, `[ ok ]`, `[warn]` or `[FAIL]`, with a hint for each warning
/// and failure; never creates a key, never POSTs.
///
/// Failures are what stops the daemon or leaves the node Unavailable; warnings are what works today but is
/// likely a mistake (a key others can read, NODE_TYPE disagreeing with the GPUs, the listen port in use).
/// Each failure class has its own hint (`OperatorCheck+Hints.swift`), so the hint matches what went wrong.
public struct OperatorCheck: Sendable {
    public struct Result: Sendable, Equatable {
        public enum Status: Sendable, Equatable {
            case ok, warn, fail

            /// The six-character tag the report starts the line with.
            public var tag: String {
                switch self {
                case .ok: "[ ok ]"
                case .warn: "[warn]"
                case .fail: "[FAIL]"
                }
            }
        }

        public let name: String
        public let status: Status
        public let detail: String
        public let hint: String?

        public init(name: String, status: Status, detail: String, hint: String?) {
            self.name = name
            self.status = status
            self.detail = detail
            self.hint = hint
        }

        /// A check that either passes or fails.
        public init(name: String, passed: Bool, detail: String, hint: String?) {
            self.init(name: name, status: passed ? .ok : .fail, detail: detail, hint: hint)
        }

        /// Not a failure (a warning passes).
        public var passed: Bool { status != .fail }
    }

    public let configuration: Configuration
    public let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs every check in order. Later checks that need an earlier one's result are skipped as failures.
    public func run() -> [Result] {
        var results: [Result] = [Result(name: "configuration", status: .ok, detail: "all settings are valid", hint: nil)]
        let http = HTTPClient(configuration: configuration.httpClientConfiguration)
        let key = checkKey(into: &results)
        checkDstack(http: http, into: &results)
        checkRegistry(key: key, http: http, into: &results)
        checkListenAddress(into: &results)
        return results
    }

    /// The node key: loaded (never created); a key others can read is a warning.
    private func checkKey(into results: inout [Result]) -> NodeKey? {
        let path = Keystore.keyPath(dataDirectory: configuration.dataDirectory)
        do {
            let key = try Keystore.load(dataDirectory: configuration.dataDirectory, logger: .silent)
            let detail = "\(path): pubkey \(key.publicKey.hex)"
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
                let mode = "0" + String(info.st_mode & 0o777, radix: 8)
                results.append(Result(
                    name: "node key", status: .warn, detail: detail + "; mode \(mode) lets other users read the secret key",
                    hint: "chmod 600 \(path) (the daemon and dephy-worker run as the file's owner or root, who still read it)"))
            } else {
                results.append(Result(name: "node key", status: .ok, detail: detail, hint: nil))
            }
            return key
        } catch {
            results.append(Result(name: "node key", status: .fail, detail: error.description, hint: Self.keyHint(error)))
            return nil
        }
    }

    /// The VMM answers `ListGpus`; then whether NODE_TYPE fits the GPUs it lists.
    private func checkDstack(http: HTTPClient, into results: inout [Result]) {
        let client = DstackClient(endpoint: configuration.dstackEndpoint, token: configuration.dstackToken, http: http)
        let list: GPUList
        do {
            list = try client.listGPUs()
        } catch {
            results.append(Result(
                name: "dstack VMM", status: .fail, detail: error.description,
                hint: Self.dstackHint(error, endpoint: configuration.dstackEndpoint)))
            return
        }
        let free = list.gpus.filter(\.isFree).count
        results.append(Result(
            name: "dstack VMM", status: .ok,
            detail: "\(configuration.dstackEndpoint) lists \(list.gpus.count) GPU(s), \(free) free", hint: nil))
        let gpus = list.gpus.map { ($0.productID, $0.description) }
        switch configuration.nodeType {
        case .explicit(let name):
            if let detected = NodeTypeDetection.mismatch(configured: name, gpus: gpus) {
                results.append(Result(
                    name: "node type", status: .warn, detail: "NODE_TYPE \(name) disagrees with the GPUs (\(detected))",
                    hint: "set NODE_TYPE to what the GPUs say, or NODE_TYPE=auto; the registry keeps the type of the first registration"))
            } else {
                results.append(Result(name: "node type", status: .ok, detail: "NODE_TYPE \(name)", hint: nil))
            }
        case .auto:
            switch NodeTypeDetection.derive(gpus) {
            case .success(let type):
                results.append(Result(name: "node type", status: .ok, detail: "NODE_TYPE=auto derives \(type)", hint: nil))
            case .failure(let failure):
                results.append(Result(
                    name: "node type", status: .fail, detail: "NODE_TYPE=auto cannot derive a type: \(failure.description)",
                    hint: "set NODE_TYPE explicitly (for example node-H200x8); with auto here a node that is not registered yet cannot register"))
            }
        }
    }

    /// The registry's view of this worker (`RegistryView`: two GETs, never a POST).
    /// Signed like the daemon's requests when REGISTRY_AUTH=nip98.
    private func checkRegistry(key: NodeKey?, http: HTTPClient, into results: inout [Result]) {
        guard let key else {
            results.append(Result(
                name: "registry", status: .fail, detail: "skipped: needs the node key's pubkey",
                hint: "fix the node key first (above); this check asks the registry about that key"))
            return
        }
        let signer = configuration.registryAuth == .nip98 ? NIP98Signer(key: key, logger: logger) : nil
        results.append(Self.registryResult(
            configuration: configuration, http: http, pubkey: key.publicKey.hex, headerProvider: signer?.headerProvider))
    }

    /// Whether the daemon could listen on `LISTEN_ADDR` now. In use is a warning: it may be the running daemon.
    private func checkListenAddress(into results: inout [Result]) {
        let address = configuration.listenAddress
        switch address {
        case .inet:
            do {
                // Bound and released at once (deinit closes it): bind is what fails for a port in use.
                _ = try BoundListener.bind(address)
                results.append(Result(name: "listen address", status: .ok, detail: "\(address) is free", hint: nil))
            } catch {
                let inUse = error.reason.contains(SystemError(call: "bind", errno: EADDRINUSE).reason)
                let denied = error.reason.contains(SystemError(call: "bind", errno: EACCES).reason)
                results.append(Result(
                    name: "listen address", status: inUse ? .warn : .fail, detail: error.description,
                    hint: inUse
                        ? "another process listens there: if it is this daemon already running, all is well; otherwise stop it or set LISTEN_ADDR to a free port (`ss -tlnp` shows who)"
                        : denied
                            ? "ports below 1024 need root or CAP_NET_BIND_SERVICE: use a port from 1024 up, e.g. 0.0.0.0:8080"
                            : "set LISTEN_ADDR to an address of this host, e.g. 0.0.0.0:8080"))
            }
        case .unix(let path):
            // Never bind here: the server replaces a stale socket file, and check must not touch a live one.
            // liveSocketUser also sees an instance still registering (bound, not listening yet).
            if let user = ListeningSocket.liveSocketUser(path) {
                results.append(Result(
                    name: "listen address", status: .warn, detail: "\(address) is in use: \(user)",
                    hint: "if it is this daemon already running, all is well; otherwise stop what serves \(path) or set another LISTEN_ADDR"))
            } else {
                results.append(Result(name: "listen address", status: .ok, detail: "\(address) is free", hint: nil))
            }
        }
    }

    /// The report as printed: `[ ok ]` / `[warn]` / `[FAIL]` lines, hints indented below, then the counts.
    public static func report(_ results: [Result]) -> String {
        var lines: [String] = []
        for result in results {
            lines.append("\(result.status.tag) \(result.name): \(result.detail)")
            if let hint = result.hint { lines.append("       hint: \(hint)") }
        }
        lines.append(summary(results))
        return lines.joined(separator: "\n")
    }

    /// `all 6 checks passed`, `6 checks passed, 1 with a warning`, `2 of 6 checks failed, 1 warning`.
    public static func summary(_ results: [Result]) -> String {
        let failed = results.filter { $0.status == .fail }.count
        let warned = results.filter { $0.status == .warn }.count
        let warnings = warned == 1 ? "1 warning" : "\(warned) warnings"
        if failed > 0 {
            return "\(failed) of \(results.count) checks failed, \(warnings)"
        }
        return warned == 0 ? "all \(results.count) checks passed" : "all \(results.count) checks passed, \(warnings)"
    }

    /// The exit status `check` ends with: 0 when nothing failed (warnings included), 1 otherwise.
    public static func exitCode(_ results: [Result]) -> Int32 {
        results.contains { $0.status == .fail } ? 1 : 0
    }
}
