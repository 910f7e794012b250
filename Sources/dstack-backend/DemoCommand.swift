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
        abstract: "Run the real daemon against a simulated registry and dstack VMM on loopback.",
        discussion: """
            The simulators supply REGISTRY_URL, OWNER_ADDRESS (the demo owner), DSTACK_URL and NODE_TYPE=auto; \
            LISTEN_ADDR, DATA_DIR and DSTACK_POLL_INTERVAL come from the options below. Every other setting is \
            read from the environment as `run` reads it (setting flags are for `run` and `check`).


            """ + SettingFlags.table
    )

    @Flag(help: "Talk to the simulated VMM over a Unix socket instead of TCP.")
    var socket = false

    @Option(name: .customLong("listen-addr"), help: "Where the daemon serves /health (default: LISTEN_ADDR, else 127.0.0.1:8080).")
    var listenAddrFlag: String?

    @Option(name: .customLong("data-dir"), help: "Keep the demo key here (default: a temporary directory, removed at exit).")
    var dataDir: String?

    @Option(name: .customLong("poll-interval"), help: "Time between VMM polls: 5, 2.5, 500ms, 5s, 2m or 1h.")
    var pollInterval: String = "2s"

    @OptionGroup var simulation: SimulationOptions

    func validate() throws {
        do {
            _ = try DurationOption.parse(pollInterval, option: "--poll-interval")
        } catch {
            throw ValidationError(error.withoutErrorPrefix)
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
        var template = Array("/tmp/dstack-backend-demo-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            printError("Error: cannot create a temporary directory in /tmp")
            throw ExitCode(1)
        }
        let scratch = String(cString: made)
        defer { removeTree(scratch) }

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

        var flags = [
            "REGISTRY_URL": simulator.registryURL, "OWNER_ADDRESS": EthereumAddress.demoOwner.checksummed,
            "DSTACK_URL": simulator.vmmURL, "LISTEN_ADDR": listenAddr, "DATA_DIR": dataDir ?? scratch + "/data",
            "NODE_TYPE": "auto", "DSTACK_POLL_INTERVAL": pollInterval,
        ]
        // With manual approval, show the approval within seconds rather than the default 10 minutes.
        if simulation.manualApproval { flags["REGISTRY_RECHECK_INTERVAL"] = "2s" }
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

    private func removeTree(_ path: String) {
        // The demo scratch directory holds at most data/key, the key's temp file and vmm.sock.
        for name in ["data/key", "vmm.sock"] { unlink(path + "/" + name) }
        rmdir(path + "/data")
        rmdir(path)
    }
}
