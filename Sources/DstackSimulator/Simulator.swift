import DstackBackend

/// The simulated registry and VMM, each served by the product's own HTTP server on loopback.
///
/// Used by `dstack-backend demo`, `dstack-backend simulate` and the tests, so the fakes are one code.
public final class Simulator: Sendable {
    public let registry: SimulatedRegistry
    let vmm: SimulatedVMM
    private let registryServer: HTTPServer
    private let vmmServer: HTTPServer
    private let stopSignal = StopSignal()
    private let threads: [BackgroundThread]
    /// Where the VMM listens when it uses a Unix socket.
    let vmmSocketPath: String?
    private let host: String

    /// Starts both servers on `host` (ports 0: ephemeral), the VMM on a Unix socket if `vmmSocketPath` is set.
    public init(
        host: String = "127.0.0.1", registryPort: UInt16 = 0, vmmPort: UInt16 = 0, vmmSocketPath: String? = nil,
        vmmOptions: SimulatedVMM.Options = SimulatedVMM.Options(),
        registryOptions: SimulatedRegistry.Options = SimulatedRegistry.Options(), logger: Logger = .silent
    ) throws {
        let registry = SimulatedRegistry(options: registryOptions)
        let vmm = SimulatedVMM(options: vmmOptions)
        self.registry = registry
        self.vmm = vmm
        self.host = host
        self.vmmSocketPath = vmmSocketPath
        registryServer = try HTTPServer(
            address: .inet(host: host, port: registryPort), handler: SimulatorHandler(registry.respond), logger: logger)
        let vmmAddress: ListenAddress = vmmSocketPath.map { .unix(path: $0) } ?? .inet(host: host, port: vmmPort)
        vmmServer = try HTTPServer(address: vmmAddress, handler: SimulatorHandler(vmm.respond), logger: logger)
        let stop = stopSignal
        let registryServer = registryServer
        let vmmServer = vmmServer
        threads = [
            BackgroundThread(name: "sim-registry") {
                registryServer.run(until: stop, listeningMessage: "Simulated registry listening on")
            },
            BackgroundThread(name: "sim-vmm") {
                vmmServer.run(until: stop, listeningMessage: "Simulated dstack VMM listening on")
            },
        ]
    }

    deinit {
        stop()
    }

    /// The registry's base URL, e.g. `http://127.0.0.1:43123`.
    public var registryURL: String { "http://\(urlHost):\(registryServer.boundPort ?? 0)" }

    /// The VMM as `DSTACK_URL` takes it: `http://127.0.0.1:<port>` or `unix:<path>`.
    public var vmmURL: String {
        if let vmmSocketPath { return "unix:\(vmmSocketPath)" }
        return "http://\(urlHost):\(vmmServer.boundPort ?? 0)"
    }

    /// 0.0.0.0 is where we listen, not an address to connect to.
    private var urlHost: String {
        switch host {
        case "0.0.0.0": "127.0.0.1"
        case let ipv6 where ipv6.contains(":"): "[\(ipv6)]"
        default: host
        }
    }

    /// Stops both servers and waits for their threads.
    public func stop() {
        stopSignal.stop()
        for thread in threads { thread.join() }
    }
}

/// Adapts a simulator's `respond` to the server's handler protocol (Strings made per request: not a hot path).
struct SimulatorHandler: HTTPHandler {
    let respond: @Sendable (SimulatorRequest) -> PreparedResponse

    init(_ respond: @escaping @Sendable (SimulatorRequest) -> PreparedResponse) {
        self.respond = respond
    }

    /// Every answer counts as `other`.
    let routes: [String] = []

    func respond(to request: HTTPRequest) -> (response: PreparedResponse, route: Int?) {
        let response = respond(
            SimulatorRequest(
                method: request.methodString, path: request.pathString, query: request.queryString,
                headers: request.headers, body: request.body))
        return (response, nil)
    }
}

extension Simulator {
    /// A curl-able base for the VMM's `/sim/...` controls (`--unix-socket <path> http://localhost` for a socket).
    public var vmmControlURL: String {
        if let vmmSocketPath { return "--unix-socket \(vmmSocketPath) http://localhost" }
        return vmmURL
    }
}
