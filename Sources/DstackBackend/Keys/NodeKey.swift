import CSecp256k1

/// The node's key pair: signs BIP-340 Schnorr signatures and knows its x-only public key.
///
/// Every signature is verified against the public key before it is returned, as BIP-340 recommends, so a
/// fault during signing can never leak a bad signature. The libsecp256k1 key pair (which embeds the secret)
/// sits in one heap allocation zeroed on deinit.
public final class NodeKey: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Immutable after `init`; only read through `const` libsecp256k1 calls.
    private let keypair: UnsafeMutablePointer<secp256k1_keypair>
    let publicKey: PublicKey

    /// The BIP-340 x-only public key as 64 lower-case hex digits: the node's identity (NIP-01).
    var publicKeyHex: String { publicKey.hex }

    /// The public key as NIP-19 `npub1…`.
    var npub: String { publicKey.npub }

    init(secretKey: SecretKey) throws(KeyError) {
        let context = Secp256k1Context.shared.pointer
        let keypair = UnsafeMutablePointer<secp256k1_keypair>.allocate(capacity: 1)
        keypair.initialize(to: secp256k1_keypair())
        let created = secretKey.withUnsafeBytes { secret in
            secp256k1_keypair_create(context, keypair, secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        var xonly = secp256k1_xonly_pubkey()
        var serialized = [UInt8](repeating: 0, count: 32)
        guard created == 1,
            secp256k1_keypair_xonly_pub(context, &xonly, nil, keypair) == 1,
            secp256k1_xonly_pubkey_serialize(context, &serialized, &xonly) == 1
        else {
            Self.destroy(keypair)
            // SecretKey already checked 0 < k < n, so this is libsecp256k1 refusing a valid key.
            throw .secretKeyOutOfRange
        }
        self.keypair = keypair
        publicKey = PublicKey(serialized: serialized)
    }

    deinit {
        Self.destroy(keypair)
    }

    private static func destroy(_ keypair: UnsafeMutablePointer<secp256k1_keypair>) {
        SecureRandom.cleanse(UnsafeMutableRawBufferPointer(start: keypair, count: MemoryLayout<secp256k1_keypair>.size))
        keypair.deinitialize(count: 1)
        keypair.deallocate()
    }

    /// Signs a 32-byte message (usually a hash) with fresh auxiliary randomness.
    func sign(digest: [UInt8]) throws(KeyError) -> [UInt8] {
        try sign(digest: digest, auxiliaryRandomness: Self.freshAuxiliaryRandomness())
    }

    /// Signs a 32-byte message with the given 32 bytes of auxiliary randomness (`secp256k1_schnorrsig_sign32`).
    ///
    /// Fixed `auxiliaryRandomness` is for test vectors; production callers use `sign(digest:)`.
    func sign(digest: [UInt8], auxiliaryRandomness: [UInt8]) throws(KeyError) -> [UInt8] {
        guard digest.count == 32 else { throw .wrongInputLength("the message", expected: 32, got: digest.count) }
        guard auxiliaryRandomness.count == 32 else {
            throw .wrongInputLength("the auxiliary randomness", expected: 32, got: auxiliaryRandomness.count)
        }
        var signature = [UInt8](repeating: 0, count: 64)
        let signed = secp256k1_schnorrsig_sign32(
            Secp256k1Context.shared.pointer, &signature, digest, keypair, auxiliaryRandomness)
        guard signed == 1 else { throw .signingFailed("secp256k1_schnorrsig_sign32 returned 0") }
        try checked(signature, message: digest)
        return signature
    }

    private func checked(_ signature: [UInt8], message: [UInt8]) throws(KeyError) {
        guard publicKey.verify(signature, message: message) else {
            throw .signingFailed("the new signature did not verify against our own public key")
        }
    }

    private static func freshAuxiliaryRandomness() throws(KeyError) -> [UInt8] {
        do {
            return try SecureRandom.bytes(count: 32)
        } catch {
            throw .randomUnavailable(error)
        }
    }

    public var description: String { "NodeKey(pubkey: \(publicKey.hex))" }
    public var debugDescription: String { description }
}
