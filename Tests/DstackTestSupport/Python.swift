import Foundation

/// Runs `python3 -c script args...` with `stdin`, returning stdout, or throwing with stderr.
/// The tests use Python only as an independent reference (json.dumps, prometheus_client, coincurve, PyYAML);
/// a missing interpreter or module fails the test, with the hint to install the test tools.
public func runPython(_ script: String, arguments: [String] = [], stdin: Data = Data()) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    input.fileHandleForWriting.write(stdin)
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw SystemTestError("python3 failed (run scripts/setup --test-tools for the test tools): \(message)")
    }
    return String(decoding: data, as: UTF8.self)
}
