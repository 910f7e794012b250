/// A key, public key or signature that libsecp256k1 refused, a signature that failed its own check, or a
/// bech32 string (NIP-19 `npub1…` / `nsec1…`) that is malformed.
///
/// Messages never contain secret key material; bech32 ones name positions, never characters.
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
        // Bech32 (BIP-173) and NIP-19 decoding.
        case tooLong, mixedCase, invalidCharacter, missingSeparator, emptyPrefix, tooShort, badChecksum
        case invalidPadding, wrongPrefix, wrongDataLength
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

    static func tooLong(_ count: Int, limit: Int) -> KeyError {
        KeyError(code: .tooLong, message: "bech32 string is \(count) characters, longer than the limit of \(limit)")
    }
    static var mixedCase: KeyError {
        KeyError(code: .mixedCase, message: "bech32 string mixes upper- and lower-case letters")
    }
    static func invalidCharacter(at position: Int) -> KeyError {
        KeyError(code: .invalidCharacter, message: "bech32 string has an invalid character at position \(position)")
    }
    static var missingSeparator: KeyError {
        KeyError(code: .missingSeparator, message: "bech32 string has no '1' separator between prefix and data")
    }
    static var emptyPrefix: KeyError {
        KeyError(code: .emptyPrefix, message: "bech32 string has an empty prefix before the '1' separator")
    }
    static var tooShort: KeyError {
        KeyError(code: .tooShort, message: "bech32 data part is shorter than its 6-character checksum")
    }
    static var badChecksum: KeyError {
        KeyError(
            code: .badChecksum,
            message: "bech32 checksum does not match (a typo or a truncated copy; NIP-19 uses bech32, not bech32m)")
    }
    static var invalidPadding: KeyError {
        KeyError(code: .invalidPadding, message: "bech32 data has invalid padding bits")
    }
    static func wrongPrefix(expected: String, got: String) -> KeyError {
        KeyError(code: .wrongPrefix, message: "expected a '\(expected)1…' string, got prefix '\(got)'")
    }
    static func wrongDataLength(expected: Int, got: Int) -> KeyError {
        KeyError(code: .wrongDataLength, message: "bech32 payload is \(got) bytes, expected \(expected)")
    }
}
