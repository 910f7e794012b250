import Testing
@testable import DstackBackend

@Suite struct EthereumAddressTests {
    /// The examples from EIP-55 itself.
    static let eip55Examples = [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
    ]

    @Test(arguments: eip55Examples)
    func checksumsLikeEIP55(example: String) throws {
        let lower = try EthereumAddress.parse("0x" + example.dropFirst(2).lowercased())
        #expect(lower.checksummed == example)
        let upper = try EthereumAddress.parse("0x" + example.dropFirst(2).uppercased())
        #expect(upper.checksummed == example)
        #expect(try EthereumAddress.parse(example).checksummed == example)
    }

    @Test func refusesTheReferenceSampleAndCountsItsDigits() {
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.resolve(
                environment: ConfigurationTests.required.merging(["OWNER_ADDRESS": "0x742d35Cc6634C0532925a3b844Bc9e7595f0bEb"]) { $1 },
                flags: [:])
        }
        #expect(error?.problems.map(\.setting) == ["OWNER_ADDRESS"])
        let message = error?.lines.first
        #expect(message?.hasPrefix("Error: OWNER_ADDRESS \"0x742d35Cc6634C0532925a3b844Bc9e7595f0bEb\"") == true)
        #expect(message?.contains("has 39 hex digits after 0x") == true)
        #expect(message?.contains("exactly 40") == true)
    }

    @Test func countsExtraDigitsToo() {
        let error = #expect(throws: InvalidValue.self) {
            try EthereumAddress.parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00")
        }
        #expect(error?.description.contains("has 42 hex digits") == true)
    }

    @Test func refusesBadChecksumAndShowsTheRightForm() {
        // The first EIP-55 example with one letter's case flipped.
        let error = #expect(throws: InvalidValue.self) {
            try EthereumAddress.parse("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        }
        #expect(error?.description.contains("EIP-55 checksum is wrong") == true)
        #expect(error?.description.contains("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") == true)
    }

    @Test func refusesNonHexAndNamesTheCharacter() {
        let error = #expect(throws: InvalidValue.self) {
            try EthereumAddress.parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg")
        }
        #expect(error?.description.contains("contains \"g\"") == true)
    }

    @Test func refusesMissingPrefixAndShowsTheFix() {
        let error = #expect(throws: InvalidValue.self) {
            try EthereumAddress.parse("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
        }
        #expect(error?.description.contains("lacks the 0x prefix") == true)
        #expect(error?.description.contains("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") == true)
    }

    @Test func toleratesSurroundingWhitespace() throws {
        #expect(try EthereumAddress.parse(" 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\n").checksummed
            == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    }
}
