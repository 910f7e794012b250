import Foundation
import Testing
@testable import DstackBackend
import DstackTestSupport

/// Checks our key file and signatures against an independent secp256k1 (Python's coincurve, installed by
/// scripts/setup).
///
/// Missing python3 or coincurve fails the test: the cross-check is the point.
@Suite struct IndependentKeyCheckTests {
    /// Runs `python3 -c script arguments...` with coincurve imported as `coincurve`; returns trimmed stdout,
    /// or throws with Python's error (a missing coincurve says how to install it).
    static func coincurve(_ script: String, _ arguments: [String]) throws -> String? {
        let prelude = """
            import sys
            try:
                import coincurve
            except ImportError:
                sys.exit("coincurve is not installed: run scripts/setup (python3 -m pip install coincurve)")

            """
        return try runPython(prelude + script, arguments: arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func coincurveDerivesTheSamePublicKeyFromOurKeyFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
        let script = """
            text = open(sys.argv[1]).read()
            assert len(text) == 64 and text == text.strip().lower(), "key file is not 64 lower-case hex"
            print(coincurve.PrivateKey(bytes.fromhex(text)).public_key_xonly.format().hex())
            """
        let theirs = try Self.coincurve(script, [directory.path + "/key"])
        #expect(theirs == key.publicKeyHex)
    }

    /// One 32-byte digest (sign32) and one odd-length message (sign_custom), each also tampered with.
    @Test func coincurveVerifiesOurSignatures() throws {
        let secret = try SecretKey.generate()
        let key = try NodeKey(secretKey: secret)
        let message = Array("dstack-backend heartbeat, 41 bytes long!!".utf8)
        let digest = SHA256.hash(message)
        let overDigest = try key.sign(digest: digest)
        let overMessage = try BIP340.sign(message: message, secretKey: secret)
        let script = """
            key = coincurve.PublicKeyXOnly(bytes.fromhex(sys.argv[1]))
            for sig, msg in zip(sys.argv[2::2], sys.argv[3::2]):
                sig, msg = bytes.fromhex(sig), bytes.fromhex(msg)
                tampered = bytes([msg[0] ^ 1]) + msg[1:]
                print(key.verify(sig, msg), key.verify(sig, tampered))
            """
        let result = try Self.coincurve(
            script,
            [key.publicKeyHex, Hex.encode(overDigest), Hex.encode(digest), Hex.encode(overMessage), Hex.encode(message)])
        #expect(result == "True False\nTrue False")
    }
}
