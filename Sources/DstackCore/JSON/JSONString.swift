/// The one JSON string escaper: `JSONWriter` (so `/health` and JSON logs) and the NIP-01 event serialization.
public enum JSONString {
    /// Which characters beyond the mandatory ones are escaped.
    public enum Style: Sendable {
        /// Python's `ensure_ascii`: everything outside printable ASCII is `\uXXXX` (lower-case hex, surrogate
        /// pairs above U+FFFF).
        case asciiOnly
        /// NIP-01's event serialization: UTF-8 as is; only control characters below U+0020 are escaped.
        case utf8
    }

    /// Appends `value` quoted: `\n \r \t \b \f \" \\` in their short forms, other controls as `\u00XX`.
    static func append(_ value: String, style: Style, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x22: out.append(contentsOf: [0x5c, 0x22])
            case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5c, UInt8(ascii: "b")])
            case 0x0c: out.append(contentsOf: [0x5c, UInt8(ascii: "f")])
            case 0x20...0x7e: out.append(UInt8(scalar.value))
            case 0..<0x20: appendUnicodeEscape(UInt16(scalar.value), to: &out)
            default:
                switch style {
                case .utf8:
                    out.append(contentsOf: UTF8.encode(scalar)!)
                case .asciiOnly where scalar.value >= 0x10000:
                    let v = scalar.value - 0x10000
                    appendUnicodeEscape(UInt16(0xd800 + (v >> 10)), to: &out)
                    appendUnicodeEscape(UInt16(0xdc00 + (v & 0x3ff)), to: &out)
                case .asciiOnly:
                    appendUnicodeEscape(UInt16(scalar.value), to: &out)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendUnicodeEscape(_ unit: UInt16, to out: inout [UInt8]) {
        out.append(contentsOf: Hex.unicodeEscape(unit))
    }
}
