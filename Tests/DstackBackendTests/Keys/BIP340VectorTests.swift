import Foundation
import Testing
@testable import DstackBackend

/// bitcoin/bips `bip-0340/test-vectors.csv`, all 19 rows, copied into Fixtures.
struct BIP340Vector: Sendable, CustomTestStringConvertible {
    let index: Int
    let secretKey: [UInt8]?
    let publicKey: [UInt8]
    let auxRand: [UInt8]?
    let message: [UInt8]
    let signature: [UInt8]
    let valid: Bool

    var testDescription: String { "vector \(index)" }

    static let all: [BIP340Vector] = {
        guard let url = Bundle.module.url(forResource: "Fixtures/bip340-test-vectors", withExtension: "csv"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return BIP340Vector(
                index: Int(fields[0])!,
                secretKey: fields[1].isEmpty ? nil : Hex.decode(fields[1])!,
                publicKey: Hex.decode(fields[2])!,
                auxRand: fields[3].isEmpty ? nil : Hex.decode(fields[3])!,
                message: Hex.decode(fields[4])!,
                signature: Hex.decode(fields[5])!,
                valid: fields[6] == "TRUE")
        }
    }()
}

@Suite struct BIP340VectorTests {
    @Test func fixtureHasAllNineteenRows() {
        #expect(BIP340Vector.all.map(\.index) == Array(0..<19))
        #expect(BIP340Vector.all.filter { $0.secretKey != nil }.map(\.index) == [0, 1, 2, 3, 15, 16, 17, 18])
        #expect(BIP340Vector.all.filter { !$0.valid }.map(\.index) == Array(5...14))
        #expect(BIP340Vector.all.suffix(4).map(\.message.count) == [0, 1, 17, 100])
    }

    @Test(arguments: BIP340Vector.all.filter { $0.secretKey != nil })
    func derivesPublicKeyAndSignsLikeTheVector(vector: BIP340Vector) throws {
        let secret = try SecretKey(bytes: vector.secretKey!)
        let key = try NodeKey(secretKey: secret)
        #expect(key.publicKey.bytes == vector.publicKey)
        let signature: [UInt8]
        if vector.index < 15 {
            signature = try key.sign(digest: vector.message, auxiliaryRandomness: vector.auxRand!)
        } else {
            signature = try BIP340.sign(message: vector.message, secretKey: secret, auxiliaryRandomness: vector.auxRand!)
        }
        #expect(Hex.encode(signature) == Hex.encode(vector.signature))
    }

    @Test(arguments: BIP340Vector.all)
    func verifiesWithTheExpectedResult(vector: BIP340Vector) {
        let verified = BIP340.verify(signature: vector.signature, message: vector.message, publicKey: vector.publicKey)
        #expect(verified == vector.valid)
    }

    @Test func invalidPublicKeysAreRefusedWhenParsed() {
        // Rows 5 (not on the curve) and 14 (x >= p).
        for index in [5, 14] {
            #expect(throws: KeyError.invalidPublicKey("")) { try PublicKey(bytes: BIP340Vector.all[index].publicKey) }
        }
    }
}
