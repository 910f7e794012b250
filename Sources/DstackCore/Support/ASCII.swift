/// ASCII character classes for text the daemon parses (settings, host names, headers, `/proc`, GPU names).
extension Character {
    /// `0`-`9` only (`isNumber` alone also takes other scripts' digits and fractions).
    public var isASCIIDigit: Bool { isASCII && isNumber }
}

extension UInt8 {
    public var isASCIIAlphanumeric: Bool {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"):
            true
        default:
            false
        }
    }
}

extension StringProtocol {
    /// Drops leading and trailing spaces, tabs, CR and LF.
    public func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
