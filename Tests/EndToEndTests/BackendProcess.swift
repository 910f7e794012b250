@testable import DstackBackend
@testable import DstackSimulator
import DstackTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built `dstack-backend` binary, run as a separate process with captured output.
final class BackendProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var captured = Data()
    private var reachedEnd = false
    /// The variables it was started with (over the test's own environment, without the daemon's settings).
    let environment: [String: String]

    /// The executable next to the test bundle (SwiftPM builds both into the same directory).
    static var executablePath: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the test bundle is `<bin>/dstack-backendPackageTests.xctest`.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
        return directory.appendingPathComponent("dstack-backend").path
    }

    /// `launcher`, when given, runs first and gets the binary's path and `arguments` after its own
    /// (e.g. `["/bin/sh", "-c", "ulimit -n 64; exec \"$0\" \"$@\""]`; it must `exec`, so signals reach the binary).
    init(arguments: [String], environment: [String: String] = [:], launcher: [String] = []) throws {
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [Self.executablePath] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.executablePath)
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("DSTACK") || ["REGISTRY_URL", "AUTH_SERVICE_URL", "OWNER_ADDRESS", "NODE_TYPE", "LISTEN_ADDR", "DATA_DIR"].contains(key) {
            env.removeValue(forKey: key)
        }
        env.merge(environment) { $1 }
        process.environment = env
        self.environment = environment
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard let self else { return }
            self.lock.lock()
            // An empty read is the end of the output: the process and everything it started have closed it.
            if chunk.isEmpty { self.reachedEnd = true } else { self.captured.append(chunk) }
            self.lock.unlock()
        }
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        output.fileHandleForReading.readabilityHandler = nil
    }

    /// Everything printed so far (stdout and stderr).
    var log: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: captured, as: UTF8.self)
    }

    /// Waits until `text` appears in the output, up to `timeout` seconds.
    @discardableResult
    func waitForOutput(_ text: String, timeout: Double = 10) -> Bool {
        _ = eventually(within: timeout) { log.contains(text) || !process.isRunning }
        return log.contains(text)
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for exit up to `timeout` seconds; returns the exit status, or nil if still running (then kills it).
    func waitForExit(timeout: Double = 5) -> Int32? {
        if eventually(within: timeout, { !process.isRunning }) { return process.terminationStatus }
        process.terminate()
        return nil
    }

    /// Stops the process if it still runs: SIGTERM, and SIGKILL if it has not exited within `timeout` seconds.
    func stop(timeout: Double = 5) {
        guard process.isRunning else { return }
        signal(SIGTERM)
        if eventually(within: timeout, { !process.isRunning }) { return }
        signal(SIGKILL)
        _ = eventually(within: 5) { !process.isRunning }
    }

    /// Waits until the output pipe reached its end (all the exited process wrote has been read), up to `timeout`.
    func waitForEndOfOutput(timeout: Double) {
        _ = eventually(within: timeout) {
            lock.lock()
            defer { lock.unlock() }
            return reachedEnd
        }
    }

    /// Runs the binary to completion and returns its exit status and output.
    static func runToEnd(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 20) throws
        -> (status: Int32?, output: String)
    {
        let backend = try BackendProcess(arguments: arguments, environment: environment)
        let status = backend.waitForExit(timeout: timeout)
        backend.waitForEndOfOutput(timeout: 5)
        return (status, backend.log)
    }

    /// The pubkey of the node key in `dataDirectory` (`pubkey` creates the key if there is none).
    static func pubkey(dataDirectory: String) throws -> String {
        let result = try runToEnd(["pubkey", "--data-dir", dataDirectory])
        let key = result.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(key.count == 64, "output: \(result.output)")
        return key
    }
}

extension Simulator {
    /// The daemon's environment against this simulator: `EndToEndTests.owner`, node-H200x8, a poll every 200 ms.
    func backendEnvironment(dataDirectory: String, port: UInt16) -> [String: String] {
        [
            "REGISTRY_URL": registryURL, "OWNER_ADDRESS": EndToEndTests.owner, "DSTACK_URL": vmmURL,
            "DATA_DIR": dataDirectory, "LISTEN_ADDR": "127.0.0.1:\(port)", "DSTACK_POLL_INTERVAL": "200ms",
            "NODE_TYPE": "node-H200x8",
        ]
    }
}

/// A simulator (`Simulator()` unless `simulator` makes another) and a temporary directory for `body`; the
/// simulator is stopped and the directory removed after it, also when it throws.
func withSimulator<T>(
    _ simulator: () throws -> Simulator = { try Simulator() }, _ body: (Simulator, _ directory: String) throws -> T
) throws -> T {
    let simulator = try simulator()
    defer { simulator.stop() }
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    return try body(simulator, directory.path)
}

/// The daemon against a simulator (see `withSimulator`) for `body`, and stopped after it, also when it throws.
///
/// Its environment is `backendEnvironment` with DATA_DIR `<directory>/data` and LISTEN_ADDR on `port`, then
/// `environment` over it, then what `setUp` changes: it runs before the daemon starts, for what needs the
/// simulator or the directory first (a key, a registry record, an outage). The daemon is expected to say it
/// listens within `waitForListening` seconds (nil: not waited for).
func withBackend<T>(
    simulator: () throws -> Simulator = { try Simulator() }, port: UInt16 = freePort(),
    environment: [String: String] = [:], launcher: [String] = [], waitForListening: Double? = 10,
    setUp: (Simulator, _ directory: String, _ environment: inout [String: String]) throws -> Void = { _, _, _ in },
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (_ simulator: Simulator, _ backend: BackendProcess, _ port: UInt16) throws -> T
) throws -> T {
    try withSimulator(simulator) { simulator, directory in
        var env = simulator.backendEnvironment(dataDirectory: directory + "/data", port: port).merging(environment) { $1 }
        try setUp(simulator, directory, &env)
        let backend = try BackendProcess(arguments: [], environment: env, launcher: launcher)
        defer { backend.stop() }
        if let timeout = waitForListening {
            #expect(backend.waitForOutput("Backend listening on", timeout: timeout), "log: \(backend.log)", sourceLocation: sourceLocation)
        }
        return try body(simulator, backend, port)
    }
}

/// A plain HTTP GET with a short timeout, for poking the daemon from tests.
func httpGet(_ url: String, timeout: Double = 2) -> (status: Int, body: String)? {
    let client = HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(timeout), totalTimeout: .seconds(timeout)))
    guard let response = try? client.get(url) else { return nil }
    return (response.status, response.bodyText)
}

/// A free TCP port on 127.0.0.1 (bound and released; good enough for tests on one machine).
func freePort() -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return UInt16(bigEndian: address.sin_port)
}
