/// Why a bech32 string (NIP-19 `npub1…` / `nsec1…`) was refused.
///
/// Messages name positions, never characters, because the string may be a secret key.
public struct Bech32Error: CodedError {
    public enum Code: Sendable, Equatable {
        case tooLong
        case mixedCase
        case invalidCharacter
        case missingSeparator
        case emptyPrefix
        case tooShort
        case badChecksum
        case invalidPadding
        case wrongPrefix
        case wrongDataLength
    }

    public let code: Code
    public let message: String

    static func tooLong(_ count: Int, limit: Int) -> Bech32Error {
        Bech32Error(code: .tooLong, message: "bech32 string is \(count) characters, longer than the limit of \(limit)")
    }
    static var mixedCase: Bech32Error {
        Bech32Error(code: .mixedCase, message: "bech32 string mixes upper- and lower-case letters")
    }
    static func invalidCharacter(at position: Int) -> Bech32Error {
        Bech32Error(code: .invalidCharacter, message: "bech32 string has an invalid character at position \(position)")
    }
    static var missingSeparator: Bech32Error {
        Bech32Error(code: .missingSeparator, message: "bech32 string has no '1' separator between prefix and data")
    }
    static var emptyPrefix: Bech32Error {
        Bech32Error(code: .emptyPrefix, message: "bech32 string has an empty prefix before the '1' separator")
    }
    static var tooShort: Bech32Error {
        Bech32Error(code: .tooShort, message: "bech32 data part is shorter than its 6-character checksum")
    }
    static var badChecksum: Bech32Error {
        Bech32Error(
            code: .badChecksum,
            message: "bech32 checksum does not match (a typo or a truncated copy; NIP-19 uses bech32, not bech32m)")
    }
    static var invalidPadding: Bech32Error {
        Bech32Error(code: .invalidPadding, message: "bech32 data has invalid padding bits")
    }
    static func wrongPrefix(expected: String, got: String) -> Bech32Error {
        Bech32Error(code: .wrongPrefix, message: "expected a '\(expected)1…' string, got prefix '\(got)'")
    }
    static func wrongDataLength(expected: Int, got: Int) -> Bech32Error {
        Bech32Error(code: .wrongDataLength, message: "bech32 payload is \(got) bytes, expected \(expected)")
    }
}
