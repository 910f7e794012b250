import ArgumentParser
import DstackBackend
import DstackSimulator

#if canImport(Glibc)
import Glibc
#endif

/// Only the fakes: a simulated registry and VMM to point a separately started backend (or the container) at.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a simulated registry and dstack VMM until SIGTERM/SIGINT.",
        usage: """
            dstack-backend simulate [--host <host>] [--registry-port <port>]
              [--vmm-port <port>] [--socket <path>] [<simulation options>]
            """
    )

    @Option(help: "Address both simulators listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("registry-port"), help: "Port of the simulated registry (0: any free port).")
    var registryPort: UInt16 = 9000

    @Option(name: .customLong("vmm-port"), help: "Port of the simulated VMM (0: any free port).")
    var vmmPort: UInt16 = 14520

    @Option(help: "Serve the simulated VMM on this Unix socket instead of a port.")
    var socket: String?

    @OptionGroup var simulation: SimulationOptions

    func run() throws {
        let stop = StopSignal()
        SignalHandling.install(stop: stop)
        let logger = environmentLogger()
        let simulator: Simulator
        do {
            simulator = try Simulator(
                host: host, registryPort: registryPort, vmmPort: vmmPort, vmmSocketPath: socket,
                vmmOptions: try simulation.vmmOptions(), registryOptions: try simulation.registryOptions(), logger: logger)
        } catch let error as ValidationError {
            throw error
        } catch {
            printError("Error: cannot start the simulator: \(error)")
            throw ExitCode(1)
        }
        print("""
            Simulated registry:  REGISTRY_URL=\(simulator.registryURL)
            Simulated dstack VMM: DSTACK_URL=\(simulator.vmmURL)
            Toggle a VMM outage:  curl -X POST \(simulator.vmmControlURL)/sim/outage   (and /sim/recover)
            Registered workers:   curl -s \(simulator.registryURL)/workers   (registry \(simulator.registry.options.generation.rawValue)\(simulator.registry.options.manualApproval ? ", manual approval: curl -X POST \(simulator.registryURL)/sim/approve/<pubkey>" : ""))
            """)
        fflush(nil)
        stop.wait()
        simulator.stop()
    }
}
