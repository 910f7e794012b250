import CSecp256k1

/// A BIP-340 x-only public key: the node's identity (NIP-01), 32 bytes shown as 64 lower-case hex.
struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32-byte x coordinate.
    let bytes: [UInt8]

    /// Parses 32 bytes; throws if they are not the x coordinate of a point on the curve.
    init(bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 32 else { throw .invalidPublicKey("expected 32 bytes, got \(bytes.count)") }
        var parsed = secp256k1_xonly_pubkey()
        guard secp256k1_xonly_pubkey_parse(Secp256k1Context.shared.pointer, &parsed, bytes) == 1 else {
            throw .invalidPublicKey("not the x coordinate of a point on secp256k1")
        }
        self.bytes = bytes
    }

    /// Parses 64 hex digits (either case).
    init(hex: String) throws(KeyError) {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else {
            throw .invalidPublicKey("expected 64 hex digits")
        }
        try self.init(bytes: bytes)
    }

    /// Trusted bytes from libsecp256k1's own serialization.
    init(serialized: [UInt8]) {
        bytes = serialized
    }

    /// 64 lower-case hex digits, the form the registry and `/health` use.
    var hex: String { Hex.encode(bytes) }

    /// NIP-19 `npub1…`.
    var npub: String { NIP19.encode(hrp: NIP19.publicKeyPrefix, bytes: bytes) }

    var description: String { hex }

    /// Whether `signature` is this key's BIP-340 signature of `message` (any length).
    func verify(_ signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == 64 else { return false }
        var parsed = secp256k1_xonly_pubkey()
        let context = Secp256k1Context.shared.pointer
        guard secp256k1_xonly_pubkey_parse(context, &parsed, bytes) == 1 else { return false }
        return message.withUnsafeBufferPointer { buffer in
            secp256k1_schnorrsig_verify(context, signature, buffer.baseAddress, buffer.count, &parsed) == 1
        }
    }
}
