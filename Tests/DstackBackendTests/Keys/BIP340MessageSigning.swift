import CSecp256k1
@testable import DstackBackend

/// BIP-340 over messages of any length, which the daemon never signs (`NodeKey` signs 32-byte digests):
/// BIP-340 vectors 15-18 and the cross-checks call libsecp256k1's `secp256k1_schnorrsig_sign_custom` here.
enum BIP340 {
    /// Signs `message` (any length) with `secretKey` and 32 bytes of auxiliary randomness (fresh if nil).
    static func sign(message: [UInt8], secretKey: SecretKey, auxiliaryRandomness: [UInt8]? = nil) throws -> [UInt8] {
        var aux = try auxiliaryRandomness ?? SecureRandom.bytes(count: 32)
        guard aux.count == 32 else { throw KeyError.wrongInputLength("the auxiliary randomness", expected: 32, got: aux.count) }
        let context = Secp256k1Context.shared.pointer
        var keypair = secp256k1_keypair()
        let created = secretKey.withUnsafeBytes { secret in
            secp256k1_keypair_create(context, &keypair, secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard created == 1 else { throw KeyError.secretKeyOutOfRange }
        var signature = [UInt8](repeating: 0, count: 64)
        let signed = aux.withUnsafeMutableBytes { auxBuffer in
            // SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT with ndata = aux: a C macro Swift cannot import.
            var extra = secp256k1_schnorrsig_extraparams(
                magic: (0xda, 0x6f, 0xb3, 0x8c), noncefp: nil, ndata: auxBuffer.baseAddress)
            return message.withUnsafeBufferPointer { buffer in
                secp256k1_schnorrsig_sign_custom(context, &signature, buffer.baseAddress, buffer.count, &keypair, &extra)
            }
        }
        guard signed == 1 else { throw KeyError.signingFailed("secp256k1_schnorrsig_sign_custom returned 0") }
        return signature
    }

    /// Whether `signature` is a valid BIP-340 signature of `message` by the x-only `publicKey`; false for
    /// malformed input too (a key not on the curve, a signature that is not 64 bytes).
    static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let key = try? PublicKey(bytes: publicKey) else { return false }
        return key.verify(signature, message: message)
    }
}
