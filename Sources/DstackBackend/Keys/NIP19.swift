/// NIP-19 bare keys: `npub1…` (public) and `nsec1…` (secret), bech32 over 32 bytes.
enum NIP19 {
    static let publicKeyPrefix = "npub"
    static let secretKeyPrefix = "nsec"

    /// Bech32 of 32 key bytes under `hrp`.
    static func encode(hrp: String, bytes: [UInt8]) -> String {
        // 8 -> 5 with padding cannot fail for byte input.
        let data = (try? Bech32.convertBits(bytes, from: 8, to: 5, pad: true)) ?? []
        return Bech32.encode(hrp: hrp, data: data)
    }

    /// The 32 bytes of a NIP-19 string whose prefix must be `hrp`.
    static func decode<C: Collection>(_ text: C, hrp: String) throws(KeyError) -> [UInt8] where C.Element == UInt8 {
        let (prefix, data) = try Bech32.decode(text)
        guard prefix == hrp else { throw .wrongPrefix(expected: hrp, got: prefix) }
        let bytes = try Bech32.convertBits(data, from: 5, to: 8, pad: false)
        guard bytes.count == 32 else { throw .wrongDataLength(expected: 32, got: bytes.count) }
        return bytes
    }
}

/// BIP-173 bech32 (not bech32m), as NIP-19 uses it for `npub1…` and `nsec1…`.
///
/// Works on bytes so a secret key's text never has to become a `String`.
enum Bech32 {
    private static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
    /// BIP-173's length limit; NIP-19 keys are 63 characters.
    static let defaultLengthLimit = 90

    /// `hrp` + `1` + 5-bit `data` + checksum, all lower case.
    static func encode(hrp: String, data: [UInt8]) -> String {
        let prefix = Array(hrp.lowercased().utf8)
        let checksum = Self.checksum(prefix: prefix, data: data)
        var out = prefix
        out.append(UInt8(ascii: "1"))
        for value in data + checksum { out.append(charset[Int(value)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits and checks a bech32 string; returns the lower-case prefix and the 5-bit data without checksum.
    static func decode<C: Collection>(_ text: C, lengthLimit: Int = defaultLengthLimit) throws(KeyError)
        -> (hrp: String, data: [UInt8]) where C.Element == UInt8
    {
        let input = Array(text)
        guard input.count <= lengthLimit else { throw .tooLong(input.count, limit: lengthLimit) }
        var hasLower = false
        var hasUpper = false
        for (index, c) in input.enumerated() {
            guard c >= 33 && c <= 126 else { throw .invalidCharacter(at: index + 1) }
            if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") { hasLower = true }
            if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") { hasUpper = true }
        }
        if hasLower && hasUpper { throw .mixedCase }
        let lower = input.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")) else { throw .missingSeparator }
        guard separator > 0 else { throw .emptyPrefix }
        guard lower.count - separator - 1 >= 6 else { throw .tooShort }
        var values = [UInt8]()
        values.reserveCapacity(lower.count - separator - 1)
        for index in (separator + 1)..<lower.count {
            guard let value = charset.firstIndex(of: lower[index]) else { throw .invalidCharacter(at: index + 1) }
            values.append(UInt8(value))
        }
        let prefix = Array(lower[..<separator])
        guard polymod(expand(prefix) + values) == 1 else { throw .badChecksum }
        return (String(decoding: prefix, as: UTF8.self), Array(values.dropLast(6)))
    }

    /// Regroups bits, e.g. 8-bit bytes into 5-bit bech32 values (`pad: true`) and back (`pad: false`).
    ///
    /// Without padding, leftover bits must be fewer than `from` and all zero, as BIP-173 requires.
    static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) throws(KeyError) -> [UInt8] {
        var accumulator: UInt32 = 0
        var bits = 0
        let maxValue: UInt32 = (1 << to) - 1
        var out = [UInt8]()
        out.reserveCapacity(data.count * from / to + 1)
        for value in data {
            guard UInt32(value) >> from == 0 else { throw .invalidPadding }
            accumulator = (accumulator << from) | UInt32(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((accumulator >> bits) & maxValue))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((accumulator << (to - bits)) & maxValue)) }
        } else if bits >= from || (accumulator << (to - bits)) & maxValue != 0 {
            throw .invalidPadding
        }
        return out
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1ff_ffff) << 5 ^ UInt32(value)
            for (bit, g) in generator.enumerated() where (top >> bit) & 1 == 1 {
                checksum ^= g
            }
        }
        return checksum
    }

    private static func expand(_ prefix: [UInt8]) -> [UInt8] {
        prefix.map { $0 >> 5 } + [0] + prefix.map { $0 & 31 }
    }

    private static func checksum(prefix: [UInt8], data: [UInt8]) -> [UInt8] {
        let mod = polymod(expand(prefix) + data + [0, 0, 0, 0, 0, 0]) ^ 1
        return (0..<6).map { UInt8((mod >> (5 * (5 - $0))) & 31) }
    }
}
