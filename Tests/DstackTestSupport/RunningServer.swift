import DstackCore
import DstackHTTP

/// A server on 127.0.0.1 (ephemeral port) or a Unix socket, run on its own thread for one test.
public final class RunningServer {
    public let server: HTTPServer
    public let stop = StopSignal()
    /// Fires when `run` has returned (the shutdown is over).
    public let returned = StopSignal()
    let thread: BackgroundThread
    public let sink = CollectingSink()

    public init(
        limits: ServerLimits = ServerLimits(), address: ListenAddress = .inet(host: "127.0.0.1", port: 0),
        handler: any HTTPHandler
    ) throws {
        server = try HTTPServer(address: address, limits: limits, handler: handler, logger: Logger(level: .debug, sink: sink))
        let server = server
        let stop = stop
        let returned = returned
        thread = BackgroundThread(name: "test-server") {
            server.run(until: stop)
            returned.stop()
        }
        // Wait until the loop logged that it listens.
        _ = eventually(within: 1) { !sink.records.isEmpty }
    }

    public var port: UInt16 { server.boundPort ?? 0 }

    public func client() throws -> RawClient { try RawClient(port: port) }

    public func shutDown() {
        stop.stop()
        thread.join()
    }
}
