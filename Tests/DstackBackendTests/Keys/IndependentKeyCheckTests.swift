import Foundation
import Testing
@testable import DstackBackend

/// Checks our key file against an independent secp256k1 (Python's coincurve, installed by scripts/setup).
///
/// Missing python3 or coincurve fails the test: the cross-check is the point.
@Suite struct IndependentKeyCheckTests {
    @Test func coincurveDerivesTheSamePublicKeyFromOurKeyFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
        let script = """
            import sys
            try:
                import coincurve
            except ImportError:
                sys.exit("coincurve is not installed: run scripts/setup (python3 -m pip install coincurve)")
            text = open(sys.argv[1]).read()
            assert len(text) == 64 and text == text.strip().lower(), "key file is not 64 lower-case hex"
            print(coincurve.PrivateKey(bytes.fromhex(text)).public_key_xonly.format().hex())
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, directory.path + "/key"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            Issue.record("cannot run python3 (install it and run scripts/setup): \(error)")
            return
        }
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderrText = String(decoding: stderr, as: UTF8.self)
        try #require(process.terminationStatus == 0, "python3/coincurve check failed: \(stderrText)")
        let theirs = String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(theirs == key.publicKey.hex)
    }
}
