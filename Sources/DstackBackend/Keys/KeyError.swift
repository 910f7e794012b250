/// A key, public key or signature that libsecp256k1 refused, or a signature that failed its own check.
///
/// Messages never contain secret key material.
public struct KeyError: CodedError {
    public enum Code: Sendable, Equatable {
        /// A secret key that is not 32 bytes.
        case wrongSecretKeyLength
        /// The secret key is zero.
        case zeroSecretKey
        /// The secret key is not below the curve order n.
        case secretKeyOutOfRange
        /// Bytes that are not a BIP-340 x-only public key (wrong length, or not an x coordinate on the curve).
        case invalidPublicKey
        /// Auxiliary randomness or a 32-byte message of the wrong length.
        case wrongInputLength
        /// libsecp256k1 could not sign, or the signature it made did not verify.
        case signingFailed
        /// No secure randomness for signing.
        case randomUnavailable
    }

    public let code: Code
    public let message: String

    static func wrongSecretKeyLength(_ count: Int) -> KeyError {
        KeyError(code: .wrongSecretKeyLength, message: "a secp256k1 secret key is 32 bytes, got \(count)")
    }
    static var zeroSecretKey: KeyError {
        KeyError(code: .zeroSecretKey, message: "the secret key is zero, which is not a valid secp256k1 key")
    }
    static var secretKeyOutOfRange: KeyError {
        KeyError(code: .secretKeyOutOfRange, message: "the secret key is not below the secp256k1 curve order n")
    }
    static func invalidPublicKey(_ reason: String) -> KeyError {
        KeyError(code: .invalidPublicKey, message: "not a BIP-340 x-only public key: \(reason)")
    }
    static func wrongInputLength(_ what: String, expected: Int, got: Int) -> KeyError {
        KeyError(code: .wrongInputLength, message: "\(what) must be \(expected) bytes, got \(got)")
    }
    static func signingFailed(_ reason: String) -> KeyError {
        KeyError(code: .signingFailed, message: "Schnorr signing failed: \(reason)")
    }
    static func randomUnavailable(_ error: SecureRandomError) -> KeyError {
        KeyError(code: .randomUnavailable, message: "no randomness for signing: \(error)")
    }
}
