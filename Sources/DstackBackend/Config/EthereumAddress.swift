/// A 20-byte Ethereum address: `OWNER_ADDRESS`, the account that owns this node's rewards.
///
/// Parsing follows EIP-55: all-lower or all-upper hex carries no checksum and is accepted; mixed case is
/// a checksum and must be right, because a wrong one almost always means a mistyped digit (and rewards
/// sent to a mistyped address are lost). The registry is always sent the checksummed form, as the
/// reference did with alloy's `Address::to_string()`.
public struct EthereumAddress: Sendable, Hashable, CustomStringConvertible {
    /// The 20 address bytes.
    public let bytes: [UInt8]

    /// Wraps exactly 20 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.bytes = bytes
    }

    /// Parses `0x` + 40 hex digits.
    public static func parse(_ text: String) throws(InvalidValue) -> EthereumAddress {
        let value = text.trimmingASCIIWhitespace()
        let example = "use your wallet's address: 0x followed by 40 hex digits"
        guard value.hasPrefix("0x") || value.hasPrefix("0X") else {
            if value.utf8.count == 40, let bytes = Hex.decode(value), let address = EthereumAddress(bytes: bytes) {
                throw InvalidValue("\"\(text)\" lacks the 0x prefix: write it as \(address.checksummed)")
            }
            throw InvalidValue("\"\(text)\" is not an Ethereum address: \(example)")
        }
        let digits = Array(value.utf8.dropFirst(2))
        if let bad = value.dropFirst(2).first(where: { !$0.isHexDigit || !$0.isASCII }) {
            throw InvalidValue("\"\(text)\" contains \"\(bad)\", which is not a hex digit (0-9, a-f): \(example)")
        }
        guard digits.count == 40 else {
            let unit = digits.count == 1 ? "digit" : "digits"
            let hint =
                digits.count < 40
                ? "a digit is missing (the reference's .env.example shipped such a 39-digit sample address; put in your own)"
                : "there are extra digits"
            throw InvalidValue(
                "\"\(text)\" has \(digits.count) hex \(unit) after 0x, but an Ethereum address has exactly 40 (20 bytes): \(hint)")
        }
        let hexText = String(decoding: digits, as: UTF8.self)
        let address = EthereumAddress(bytes: Hex.decode(hexText)!)!
        let hasLower = digits.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f") }
        let hasUpper = digits.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") }
        if hasLower && hasUpper && "0x" + hexText != address.checksummed {
            throw InvalidValue(
                "\"\(text)\" has mixed case but its EIP-55 checksum is wrong, which usually means a mistyped digit; "
                    + "the correctly checksummed form of these digits is \(address.checksummed): compare it with your "
                    + "wallet before using it (all-lower-case hex skips the check)")
        }
        return address
    }

    /// The EIP-55 mixed-case form, `0x` + 40 hex digits.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes).utf8)
        let hash = Keccak.keccak256(lower)
        var out = Array("0x".utf8)
        for (index, character) in lower.enumerated() {
            let nibble = index % 2 == 0 ? hash[index / 2] >> 4 : hash[index / 2] & 0x0f
            if character >= UInt8(ascii: "a") && nibble >= 8 {
                out.append(character - 0x20)
            } else {
                out.append(character)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { checksummed }
}
