import ArgumentParser
import DstackBackend
import FoundationEssentials
import DstackSimulator

#if canImport(Glibc)
import Glibc
#endif

/// The whole thing on one machine with no GPU: simulated registry and VMM, then the real daemon against them.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the daemon against a simulated registry and VMM on loopback.",
        usage: """
            dstack-backend demo [--socket] [--listen-addr <address>]
              [--data-dir <dir>] [--poll-interval <duration>]
              [<simulation options>] [--<setting> <value>]...
            """,
        discussion: HelpText.paragraphs([
            "The demo sets the settings marked * below itself (the simulated registry and VMM, the demo owner, "
                + "the node type, a temporary key directory); LISTEN_ADDR, DATA_DIR and DSTACK_POLL_INTERVAL "
                + "come from the options below. Every other setting is read from the environment and its flag "
                + "as `run` reads it."
        ]) + "\n\n" + SettingFlags.table(setBy: setByDemo, command: "demo")
    )

    /// The settings the demo sets itself, with what it uses (shown in `--help`); their flags are refused but
    /// REGISTRY_RECHECK_INTERVAL's.
    static let setByDemo: [String: String] = [
        "REGISTRY_URL": "its simulated registry on 127.0.0.1",
        "OWNER_ADDRESS": "the demo owner \(EthereumAddress.demoOwner.checksummed)",
        "DSTACK_URL": "its simulated VMM on 127.0.0.1 (with --socket, over a Unix socket)",
        "NODE_TYPE": "auto",
        "LISTEN_ADDR": "--listen-addr, else LISTEN_ADDR, else 127.0.0.1:8080",
        "DATA_DIR": "--data-dir, else a temporary directory removed at exit",
        "DSTACK_POLL_INTERVAL": "--poll-interval, 2s by default",
        "REGISTRY_RECHECK_INTERVAL": "2s with --manual-approval, unless its flag is given",
    ]

    @Flag(help: "Talk to the simulated VMM over a Unix socket instead of TCP.")
    var socket = false

    @Option(name: .customLong("listen-addr"), help: "Where the daemon serves /health (default: LISTEN_ADDR, else 127.0.0.1:8080).")
    var listenAddrFlag: String?

    @Option(name: .customLong("data-dir"), help: "Keep the demo key here (default: a temporary directory, removed at exit).")
    var dataDir: String?

    @Option(name: .customLong("poll-interval"), help: "Time between VMM polls: 5, 2.5, 500ms, 5s, 2m or 1h.")
    var pollInterval: String = "2s"

    @OptionGroup var simulation: SimulationOptions

    @OptionGroup var settings: SettingsOptions

    func validate() throws {
        do {
            _ = try SettingParsers.duration(pollInterval)
        } catch {
            throw ValidationError("--poll-interval \(error)")
        }
        // --listen-addr and --data-dir are the demo's own options, parsed before the setting flags.
        for name in settings.byEnvironmentName.keys.sorted() where Self.setByDemo[name] != nil && name != "REGISTRY_RECHECK_INTERVAL" {
            let flag = Configuration.setting(named: name)?.flagSpelling ?? name
            let own = name == "DSTACK_POLL_INTERVAL" ? "use --poll-interval" : "use `dstack-backend run` to choose it"
            throw ValidationError("\(flag) is set by the demo itself (\(Self.setByDemo[name] ?? "")): \(own)")
        }
    }

    /// `--listen-addr`, else `LISTEN_ADDR` from the environment, else loopback port 8080 (a demo is not
    /// for the network).
    var listenAddr: String {
        if let listenAddrFlag { return listenAddrFlag }
        if let value = ProcessInfo.processInfo.environment["LISTEN_ADDR"], !value.allSatisfy(\.isWhitespace) { return value }
        return "127.0.0.1:8080"
    }

    func run() throws {
        let stop = StopSignal()
        SignalHandling.install(stop: stop)
        let temporary = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(temporary)/dstack-backend-demo-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            let reason = String(cString: strerror(errno))
            printError("Error: cannot create a temporary directory in \(temporary): \(reason) (set TMPDIR to a writable directory)")
            throw ExitCode(1)
        }
        let scratch = String(cString: made)
        // Every exit path from here on (a signal during start-up or while serving, an error) returns or throws
        // through this: the directory goes with whatever the daemon wrote there (key, key.pub, temp files).
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        let simulator: Simulator
        do {
            simulator = try Simulator(
                vmmSocketPath: socket ? scratch + "/vmm.sock" : nil, vmmOptions: try simulation.vmmOptions(),
                registryOptions: try simulation.registryOptions())
        } catch let error as ValidationError {
            throw error
        } catch {
            printError("Error: cannot start the simulator: \(error)")
            throw ExitCode(1)
        }
        defer { simulator.stop() }

        var flags = settings.byEnvironmentName
        flags.merge([
            "REGISTRY_URL": simulator.registryURL, "OWNER_ADDRESS": EthereumAddress.demoOwner.checksummed,
            "DSTACK_URL": simulator.vmmURL, "LISTEN_ADDR": listenAddr, "DATA_DIR": dataDir ?? scratch + "/data",
            "NODE_TYPE": "auto", "DSTACK_POLL_INTERVAL": pollInterval,
        ]) { $1 }
        // With manual approval, show the approval within seconds rather than the default 10 minutes.
        if simulation.manualApproval && flags["REGISTRY_RECHECK_INTERVAL"] == nil { flags["REGISTRY_RECHECK_INTERVAL"] = "2s" }
        let configuration: Configuration
        do {
            configuration = try Configuration.resolve(environment: ProcessInfo.processInfo.environment, flags: flags)
        } catch {
            for line in error.lines { printError(line) }
            throw ExitCode(ExitStatus.configuration)
        }
        var daemon = Daemon(configuration: configuration, logger: makeLogger(configuration), stop: stop)
        let vmmControl = simulator.vmmControlURL
        let registryURL = simulator.registryURL
        let vmmURL = simulator.vmmURL
        daemon.onListening = { server in
            let base: String
            switch configuration.listenAddress {
            case .inet(let host, _):
                let shown = host == "0.0.0.0" ? "localhost" : host.contains(":") ? "[\(host)]" : host
                base = "http://\(shown):\(server.boundPort ?? 0)"
            case .unix(let path):
                base = "--unix-socket \(path) http://localhost"
            }
            print("""

                dstack-backend demo is running (Ctrl-C stops it).
                  simulated registry:   \(registryURL)
                  simulated dstack VMM: \(vmmURL)   (\(simulation.gpus)x \(simulation.model), \(simulation.busy) busy)
                  backend:              \(base)   (key in \(configuration.dataDirectory))

                Try:
                  curl -s \(base)/health | jq
                  curl -s -X POST \(vmmControl)/sim/outage      # /health turns 503 Unavailable within \(pollInterval)
                  curl -s -X POST \(vmmControl)/sim/recover     # and comes back
                  curl -s \(base)/metrics
                  curl -s \(registryURL)/workers | jq
                  curl -s -X POST \(registryURL)/sim/approve/<pubkey>   # with --manual-approval: the pending worker is authorized

                """)
            fflush(nil)
        }
        let code = daemon.run()
        if code != 0 { throw ExitCode(code) }
    }
}
