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
