/// `dstack-backend check`: one line per check with a hint for each failure; never creates a key, never POSTs.
/// The registry line is `RegistryView`'s.
public struct OperatorCheck: Sendable {
    public struct Result: Sendable, Equatable {
        public let name: String
        public let passed: Bool
        public let detail: String
        public let hint: String?
    }

    public let configuration: Configuration
    public let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs every check in order. Later checks that need an earlier one's result are skipped as failures.
    public func run() -> [Result] {
        var results: [Result] = [Result(name: "configuration", passed: true, detail: "all settings are valid", hint: nil)]
        let http = HTTPClient(configuration: configuration.httpClientConfiguration)

        var pubkey: String?
        do {
            let key = try Keystore.load(dataDirectory: configuration.dataDirectory, logger: logger)
            pubkey = key.publicKey.hex
            results.append(Result(name: "node key", passed: true, detail: "\(Keystore.keyPath(dataDirectory: configuration.dataDirectory)): pubkey \(key.publicKey.hex)", hint: nil))
        } catch {
            let hint = error.code == .keyFileMissing
                ? "start the daemon once, or run `dstack-backend pubkey`, to create it (if this node had a key, restore it from your backup instead)"
                : "restore the key file from your backup; do not delete it: the node's registration is tied to it"
            results.append(Result(name: "node key", passed: false, detail: error.description, hint: hint))
        }

        let client = DstackClient(endpoint: configuration.dstackEndpoint, token: configuration.dstackToken, http: http)
        do {
            let list = try client.listGPUs()
            let free = list.gpus.filter(\.isFree).count
            var detail = "\(configuration.dstackEndpoint) lists \(list.gpus.count) GPU(s), \(free) free"
            if case .explicit(let name) = configuration.nodeType,
                let detected = NodeTypeDetection.mismatch(configured: name, gpus: list.gpus.map { ($0.productID, $0.description) })
            {
                detail += "; NODE_TYPE \(name) disagrees with the GPUs (\(detected))"
            }
            results.append(Result(name: "dstack VMM", passed: true, detail: detail, hint: nil))
        } catch {
            results.append(Result(name: "dstack VMM", passed: false, detail: error.description, hint: Self.dstackHint(error.description, endpoint: configuration.dstackEndpoint)))
        }

        if let pubkey {
            results.append(Self.registryResult(configuration: configuration, http: http, pubkey: pubkey))
        } else {
            results.append(Result(name: "registry", passed: false, detail: "skipped: needs the node key's pubkey", hint: nil))
        }
        return results
    }

    /// The likely fix for a VMM failure, from the contract's troubleshooting.
    static func dstackHint(_ reason: String, endpoint: DstackEndpoint) -> String {
        if case .unixSocket(let path) = endpoint {
            return "is the socket \(path) there? In docker compose, mount the VMM's run directory (DSTACK_RUN_DIR) and name the socket file in DSTACK_BACKEND_DSTACK_URL"
        }
        if reason.contains("401") {
            return "the VMM requires a token: set DSTACK_TOKEN"
        }
        if reason.contains("could not resolve host") {
            return "check the host name in DSTACK_URL; inside a container the host is host.docker.internal"
        }
        return "the VMM listens on 127.0.0.1 by default: make it listen on 0.0.0.0 (check with `sudo netstat -tulnp | grep <port>`), or use its Unix socket (unix:///opt/dstack/dstack-v05x/run/vmm.sock)"
    }

    /// The report as printed: `[ ok ]` / `[FAIL]` lines, hints indented below.
    public static func report(_ results: [Result]) -> String {
        var lines: [String] = []
        for result in results {
            lines.append("\(result.passed ? "[ ok ]" : "[FAIL]") \(result.name): \(result.detail)")
            if let hint = result.hint { lines.append("       hint: \(hint)") }
        }
        let failed = results.filter { !$0.passed }.count
        lines.append(failed == 0 ? "all \(results.count) checks passed" : "\(failed) of \(results.count) checks failed")
        return lines.joined(separator: "\n")
    }
}
