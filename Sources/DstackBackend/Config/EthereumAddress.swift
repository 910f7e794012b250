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

/// `OWNER_ADDRESS` checks beyond syntax: addresses that are valid but cannot be anyone's payout address.
///
/// The registry stores the owner at the first registration and the backend can never change it, so an
/// example address copied from documentation sends the node's rewards to a stranger or to nobody, for good.
extension EthereumAddress {
    /// The zero address and the eight test vectors of the EIP-55 specification: every one of them appears in
    /// documentation and sample `.env` files (this project's own `.env.example` once shipped the fifth).
    static let placeholders: [(address: String, origin: String)] = [
        ("0x0000000000000000000000000000000000000000", "the zero address"),
        ("0x52908400098527886E0F7030069857D2E4169EE7", "an EIP-55 test vector"),
        ("0x8617E340B3D01FA5F11F306F4090FD50E238070D", "an EIP-55 test vector"),
        ("0xde709f2102306220921060314715629080e2fb77", "an EIP-55 test vector"),
        ("0x27b1fdb04752bbc536007a920d24acb045561c26", "an EIP-55 test vector"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "an EIP-55 test vector"),
        ("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "an EIP-55 test vector"),
        ("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "an EIP-55 test vector"),
        ("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "an EIP-55 test vector"),
    ]

    /// The owner the demo uses (`dstack-backend demo`, and compose's `--profile demo` without a `.env`):
    /// the last 20 bytes of Keccak-256("dstack-backend demo owner"), an address nobody holds a key for.
    public static let demoOwner = EthereumAddress(
        bytes: Array(Keccak.keccak256(Array("dstack-backend demo owner".utf8))[12...]))!

    /// Registry hosts the demo owner may be sent to: the simulator on loopback or compose's demo service.
    static let demoRegistryHosts: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]", "dstack-simulator"]

    /// Why this address is a placeholder (e.g. "an EIP-55 test vector"), or nil for an ordinary address.
    var placeholderOrigin: String? {
        Self.placeholders.first { $0.address.lowercased() == "0x" + Hex.encode(bytes) }?.origin
    }

    /// Parses `OWNER_ADDRESS` like `parse`, then refuses the placeholders with a message that says so.
    static func parseOwner(_ text: String) throws(InvalidValue) -> EthereumAddress {
        let address = try parse(text)
        if let origin = address.placeholderOrigin {
            throw InvalidValue(
                "\(address.checksummed) is \(origin), a placeholder that appears in examples, not an owner: the "
                    + "registry records the owner at the first registration for good, so rewards would go to "
                    + "whoever holds that address. Set OWNER_ADDRESS to your own wallet's address")
        }
        return address
    }

    /// Why the demo owner cannot go to `registry` (any registry but the demo simulator); nil when the pair is fine.
    static func demoOwnerProblem(owner: EthereumAddress, registry: HTTPURL) -> String? {
        guard owner == demoOwner, !demoRegistryHosts.contains(registry.host.lowercased()) else { return nil }
        return "\(owner.checksummed) is the demo owner (compose's default when .env does not set OWNER_ADDRESS), and "
            + "REGISTRY_URL \(registry) is not the demo simulator: set OWNER_ADDRESS to your own wallet's address in .env"
    }
}
