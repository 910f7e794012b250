/// Lower-case hexadecimal encoding and tolerant decoding: the one place the daemon writes or reads hex.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: encodedBytes(bytes), as: UTF8.self)
    }

    /// Lower-case hex of `bytes` as ASCII bytes, for a caller that must zero the result afterwards (a secret
    /// key's hex: a `String` copy could not be cleansed).
    public static func encodedBytes<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return out
    }

    /// `\uXXXX` with the four lower-case hex digits of `unit`: the escape JSON, the NIP-01 event text and
    /// `PeerText` write for a character they may not print raw.
    static func unicodeEscape(_ unit: UInt16) -> [UInt8] {
        Array("\\u".utf8) + [12, 8, 4, 0].map { digits[Int(unit >> $0 & 0xf)] }
    }

    /// Whether every character of `text` is a lower-case hex digit (0-9, a-f); true for empty text.
    public static func isLowerCase<S: StringProtocol>(_ text: S) -> Bool {
        text.utf8.allSatisfy { value(ofDigit: $0) != nil && !(UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }
    }

    /// The value of one hex digit (either case), or nil.
    @inline(__always)
    public static func value(ofDigit c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Decodes hex of either case; nil for an odd length or a non-hex character.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        decode(text.utf8)
    }

    /// Decodes hex digits given as ASCII bytes, either case, without copying them first (a key file's bytes
    /// hold the secret: the caller cleanses them and the result). Nil for an odd length or a non-hex byte.
    public static func decode<Digits: Collection<UInt8>>(_ digits: Digits) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index != digits.endIndex {
            let next = digits.index(after: index)
            guard let high = value(ofDigit: digits[index]), let low = value(ofDigit: digits[next]) else { return nil }
            out.append(high << 4 | low)
            index = digits.index(after: next)
        }
        return out
    }
}
