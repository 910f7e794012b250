import Dispatch
import Synchronization
import Testing
@testable import DstackBackend

@Suite struct NodeKeyTests {
    static let order = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"

    @Test func secretKeyIsNeverPrinted() throws {
        let key = try SecretKey(bytes: Hex.decode(NIP19Vector.nsecHex)!)
        for text in [key.description, key.debugDescription, String(describing: key), String(reflecting: key), "\(key)"] {
            #expect(text == "SecretKey(<redacted>)")
            #expect(!text.contains("67dea2"))
        }
        let node = try NodeKey(secretKey: key)
        #expect(!String(describing: node).contains("67dea2"))
        #expect(!String(reflecting: node).contains("67dea2"))
    }

    @Test func secretKeyRangeIsChecked() throws {
        #expect(throws: KeyError.zeroSecretKey) { try SecretKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: KeyError.secretKeyOutOfRange) { try SecretKey(bytes: Hex.decode(Self.order)!) }
        #expect(throws: KeyError.secretKeyOutOfRange) { try SecretKey(bytes: [UInt8](repeating: 0xff, count: 32)) }
        #expect(throws: KeyError.wrongSecretKeyLength(31)) { try SecretKey(bytes: [UInt8](repeating: 1, count: 31)) }
        // n - 1 is the largest valid key.
        var largest = Hex.decode(Self.order)!
        largest[31] -= 1
        _ = try SecretKey(bytes: largest)
    }

    @Test func generatedKeysDifferAndSignWithFreshRandomness() throws {
        let secretA = try SecretKey.generate()
        let a = try NodeKey(secretKey: secretA)
        let b = try NodeKey(secretKey: SecretKey.generate())
        #expect(a.publicKey != b.publicKey)
        let digest = SHA256.hash(Array("hello".utf8))
        let first = try a.sign(digest: digest)
        let second = try a.sign(digest: digest)
        #expect(first != second)  // different aux_rand
        #expect(a.publicKey.verify(first, message: digest))
        #expect(a.publicKey.verify(second, message: digest))
        #expect(!b.publicKey.verify(first, message: digest))
        let long = try BIP340.sign(message: Array("a message that is not 32 bytes long".utf8), secretKey: secretA)
        #expect(a.publicKey.verify(long, message: Array("a message that is not 32 bytes long".utf8)))
        #expect(!a.publicKey.verify(long, message: Array("a message that is not 32 bytes long!".utf8)))
    }

    @Test func signingRefusesWrongLengths() throws {
        let key = try NodeKey(secretKey: SecretKey.generate())
        #expect(throws: KeyError.wrongInputLength("", expected: 32, got: 31)) {
            try key.sign(digest: [UInt8](repeating: 0, count: 31))
        }
        #expect(throws: KeyError.wrongInputLength("", expected: 32, got: 0)) {
            try key.sign(digest: [UInt8](repeating: 0, count: 32), auxiliaryRandomness: [])
        }
    }

    /// The shared context is read-only after randomization, so threads may sign and verify at once.
    @Test func signsAndVerifiesFromManyThreadsAtOnce() throws {
        let key = try NodeKey(secretKey: SecretKey.generate())
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<50 {
                let digest = SHA256.hash(Array("thread \(thread) round \(round)".utf8))
                do {
                    let signature = try key.sign(digest: digest)
                    if !key.publicKey.verify(signature, message: digest) {
                        failures.withLock { $0.append("thread \(thread) round \(round): did not verify") }
                    }
                } catch {
                    failures.withLock { $0.append("thread \(thread) round \(round): \(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
    }

    @Test func sha256MatchesPublishedVectors() {
        #expect(Hex.encode(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func secureRandomFillsBuffers() throws {
        let a = try SecureRandom.bytes(count: 32)
        let b = try SecureRandom.bytes(count: 32)
        #expect(a.count == 32 && a != b)
    }
}
