@testable import DstackBackend
import Foundation

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
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            if !process.isRunning { return log.contains(text) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for exit up to `timeout` seconds; returns the exit status, or nil if still running (then kills it).
    func waitForExit(timeout: Double = 5) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        if process.isRunning {
            process.terminate()
            return nil
        }
        return process.terminationStatus
    }

    /// Waits until the output pipe reached its end (all the exited process wrote has been read), up to `timeout`.
    func waitForEndOfOutput(timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            lock.lock()
            let done = reachedEnd
            lock.unlock()
            if done { return }
            Thread.sleep(forTimeInterval: 0.01)
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
