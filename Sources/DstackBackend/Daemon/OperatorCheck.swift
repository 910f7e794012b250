#if canImport(Glibc)
import Glibc
#endif

/// `dstack-backend check`: one line per check, `[ ok ]`, `[warn]`, `[FAIL]` or `[skip]`, with a hint for each
/// warning and failure; never creates a key, never POSTs.
///
/// Failures are what stops the daemon or leaves the node Unavailable; warnings are what works today but is
/// likely a mistake (a key others can read, NODE_TYPE disagreeing with the GPUs). Every check always has its
/// line (`checkNames`), a check that needs an earlier one's result being `[skip]` with the reason, so the
/// counts read the same on every run.
/// Each failure class has its own hint (`OperatorCheck+Hints.swift`), so the hint matches what went wrong.
public struct OperatorCheck: Sendable {
    public struct Result: Sendable, Equatable {
        enum Status: Sendable, Equatable {
            case ok, warn, fail
            /// Could not run: it needs what an earlier check found missing (the detail says which).
            case skip

            /// The six-character tag the report starts the line with.
            var tag: String {
                switch self {
                case .ok: "[ ok ]"
                case .warn: "[warn]"
                case .fail: "[FAIL]"
                case .skip: "[skip]"
                }
            }
        }

        let name: String
        let status: Status
        let detail: String
        let hint: String?

        /// A check that could not run, and why.
        static func skipped(_ name: String, _ reason: String, hint: String? = nil) -> Result {
            Result(name: name, status: .skip, detail: reason, hint: hint)
        }
    }

    let configuration: Configuration
    let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Every check's name, in the order the report lists them.
    static let checkNames = ["configuration", "node key", "dstack VMM", "node type", "registry", "listen address"]

    /// Runs every check in order, one result per `checkNames` entry. Checks that need an earlier one's result
    /// are `[skip]` with the reason.
    public func run() -> [Result] {
        var results: [Result] = [Result(name: "configuration", status: .ok, detail: "all settings are valid", hint: nil)]
        let http = HTTPClient(configuration: configuration.httpClientConfiguration)
        let key = checkKey(into: &results)
        checkDstack(http: http, into: &results)
        checkRegistry(key: key, http: http, into: &results)
        results.append(listenAddressResult(pubkey: key?.publicKey.hex))
        return results
    }

    /// What `check` prints when the settings do not resolve: the configuration's `Error: …` lines, then every
    /// other check as `[skip]`, so the count is the same as on any other run.
    public static func invalidConfigurationReport(_ errorLines: [String]) -> String {
        var lines = ["[FAIL] configuration:"] + errorLines.map { "       \($0)" }
        lines.append("       hint: fix the settings named above (environment, .env or flags); the other checks need them")
        let skipped = checkNames.dropFirst().map { Result.skipped($0, "needs valid settings (configuration, above)") }
        lines += skipped.map { "\($0.status.tag) \($0.name): \($0.detail)" }
        let results = [Result(name: "configuration", status: .fail, detail: "", hint: nil)] + skipped
        lines.append(summary(results))
        return lines.joined(separator: "\n")
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
            results.append(nodeTypeWithoutGPUs())
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

    /// The node type line when the VMM did not answer: what is configured, and for NODE_TYPE=auto what start-up
    /// does about it.
    private func nodeTypeWithoutGPUs() -> Result {
        switch configuration.nodeType {
        case .explicit(let name):
            return .skipped("node type", "NODE_TYPE \(name), not compared with the GPUs: the VMM did not answer (above)")
        case .auto:
            return .skipped(
                "node type",
                "NODE_TYPE=auto derives the type from the VMM's GPUs, and the VMM did not answer (above): a node that "
                    + "is not registered yet waits for the VMM before it registers",
                hint: "fix the VMM (above), or set NODE_TYPE explicitly (for example node-H200x8) so registration does not wait for it")
        }
    }

    /// The registry's view of this worker (`RegistryView`: two GETs, never a POST).
    /// Signed like the daemon's requests when REGISTRY_AUTH=nip98.
    private func checkRegistry(key: NodeKey?, http: HTTPClient, into results: inout [Result]) {
        guard let key else {
            results.append(.skipped(
                "registry", "needs the node key's pubkey (node key, above)",
                hint: "fix the node key first; this check asks the registry about that key"))
            return
        }
        let signer = configuration.registryAuth == .nip98 ? NIP98Signer(key: key, logger: logger) : nil
        results.append(Self.registryResult(
            configuration: configuration, http: http, pubkey: key.publicKey.hex, headerProvider: signer?.headerProvider))
    }

    /// The `registry` line of `check`, from `RegistryView`: fails on an unreachable registry or an owner
    /// mismatch; warns on an answer that suggests the wrong URL or missing authentication.
    ///
    /// `headerProvider` signs the requests as the daemon does (the node key's `NIP98Signer` when
    /// REGISTRY_AUTH=nip98), so the registry answers `check` what it answers the daemon.
    static func registryResult(
        configuration: Configuration, http: HTTPClient, pubkey: String,
        headerProvider: RegistryClient.HeaderProvider? = nil
    ) -> Result {
        let client = RegistryClient(baseURL: configuration.registryURL, http: http, headerProvider: headerProvider)
        let view: RegistryView
        do {
            view = try RegistryView.fetch(
                client: client, pubkey: pubkey, owner: configuration.ownerAddress, nodeType: configuration.nodeType)
        } catch {
            return Result(
                name: "registry", status: .fail, detail: error.description,
                hint: registryHint(error, url: configuration.registryURL))
        }
        let detail = "\(configuration.registryURL): \(view.summary)"
        if view.ownerMismatch {
            return Result(name: "registry", status: .fail, detail: detail, hint: view.hint)
        }
        if case .notRegistered(let reason) = view.permissions, view.lookup.record == nil,
            let hint = registryRefusalHint(reason, signed: headerProvider != nil)
        {
            return Result(name: "registry", status: .warn, detail: detail, hint: hint)
        }
        return Result(name: "registry", status: .ok, detail: detail, hint: nil)
    }

    /// The report as printed: `[ ok ]` / `[warn]` / `[FAIL]` / `[skip]` lines, hints indented below, then the
    /// counts.
    public static func report(_ results: [Result]) -> String {
        var lines: [String] = []
        for result in results {
            lines.append("\(result.status.tag) \(result.name): \(result.detail)")
            if let hint = result.hint { lines.append("       hint: \(hint)") }
        }
        lines.append(summary(results))
        return lines.joined(separator: "\n")
    }

    /// `all 6 checks passed`, `all 6 checks passed, 1 warning`, `2 of 6 checks failed, 1 warning, 1 skipped`.
    static func summary(_ results: [Result]) -> String {
        let failed = results.filter { $0.status == .fail }.count
        let warned = results.filter { $0.status == .warn }.count
        let skipped = results.filter { $0.status == .skip }.count
        let warnings = warned == 1 ? "1 warning" : "\(warned) warnings"
        let skips = skipped == 0 ? "" : ", \(skipped) skipped"
        if failed > 0 {
            return "\(failed) of \(results.count) checks failed, \(warnings)\(skips)"
        }
        if skipped > 0 {
            return "\(results.count - skipped) of \(results.count) checks passed, \(warnings)\(skips)"
        }
        return warned == 0 ? "all \(results.count) checks passed" : "all \(results.count) checks passed, \(warnings)"
    }

    /// The exit status `check` ends with: 0 when nothing failed (warnings included), 1 otherwise.
    public static func exitCode(_ results: [Result]) -> Int32 {
        results.contains { $0.status == .fail } ? 1 : 0
    }
}
