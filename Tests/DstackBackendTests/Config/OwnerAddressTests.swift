import Testing
@testable import DstackBackend

/// `OWNER_ADDRESS` values that parse but must never reach the registry.
@Suite struct OwnerAddressTests {
    static let registry = ["REGISTRY_URL": "https://registry.example.com"]

    static var placeholderSpellings: [String] {
        EthereumAddress.placeholders.flatMap { entry in
            let digits = entry.address.dropFirst(2)
            return [entry.address, "0x" + digits.lowercased(), "0x" + digits.uppercased()]
        }
    }

    @Test(arguments: placeholderSpellings)
    func refusesPlaceholderOwnersAtConfigurationTime(owner: String) {
        var environment = Self.registry
        environment["OWNER_ADDRESS"] = owner
        let errors = #expect(throws: ConfigurationError.self) {
            _ = try Configuration.resolve(environment: environment, flags: [:])
        }
        let line = errors?.lines.first { $0.contains("OWNER_ADDRESS") } ?? ""
        #expect(line.contains("placeholder"), "\(line)")
        #expect(line.contains("Set OWNER_ADDRESS to your own wallet's address"))
        let expectedOrigin = owner.dropFirst(2).allSatisfy { $0 == "0" } ? "the zero address" : "an EIP-55 test vector"
        #expect(line.contains(expectedOrigin), "\(line)")
    }

    /// Every address of the EIP-55 specification's test cases is on the list (and nothing else but zero).
    @Test func thePlaceholderListIsTheEIP55TestCasesAndZero() {
        let listed = Set(EthereumAddress.placeholders.map { $0.address.lowercased() })
        let expected = Set(EthereumAddressTests.eip55Examples.map { $0.lowercased() })
            .union(["0x0000000000000000000000000000000000000000"])
        #expect(listed == expected)
        #expect(EthereumAddress.placeholders.count == 9)
    }

    @Test func anOrdinaryAddressIsAccepted() throws {
        var environment = Self.registry
        environment["OWNER_ADDRESS"] = "0x3e5e9111ae8eb78fe1cc3bb8915d5d461f3ef9a9"
        let configuration = try Configuration.resolve(environment: environment, flags: [:])
        #expect(configuration.ownerAddress.checksummed == "0x3E5e9111Ae8eB78Fe1CC3bb8915d5D461F3Ef9A9")
        #expect(configuration.ownerAddress.placeholderOrigin == nil)
    }

    /// The demo owner is generated (Keccak-256 of a fixed phrase), so compose's literal default can be checked.
    @Test func theDemoOwnerIsTheGeneratedAddress() {
        let hash = Keccak.keccak256(Array("dstack-backend demo owner".utf8))
        #expect(EthereumAddress.demoOwner.bytes == Array(hash[12...]))
        #expect(EthereumAddress.demoOwner.checksummed == "0x0AaFa7D841073aDb3818121a5eF1d270FaC30c67")
        #expect(EthereumAddress.demoOwner.placeholderOrigin == nil)
    }

    @Test(arguments: ["http://dstack-simulator:9000", "http://127.0.0.1:9000", "http://localhost:9000/", "http://[::1]:9000"])
    func theDemoOwnerIsAcceptedWithTheDemoSimulator(registry: String) throws {
        let configuration = try Configuration.resolve(
            environment: ["REGISTRY_URL": registry, "OWNER_ADDRESS": EthereumAddress.demoOwner.checksummed], flags: [:])
        #expect(configuration.ownerAddress == EthereumAddress.demoOwner)
    }

    /// A `.env` that sets a real registry but forgets OWNER_ADDRESS must not register the demo owner there.
    @Test func theDemoOwnerIsRefusedWithAnyOtherRegistry() {
        let errors = #expect(throws: ConfigurationError.self) {
            _ = try Configuration.resolve(
                environment: [
                    "REGISTRY_URL": "https://registry.example.com", "OWNER_ADDRESS": EthereumAddress.demoOwner.checksummed,
                ], flags: [:])
        }
        let line = errors?.lines.first { $0.contains("OWNER_ADDRESS") } ?? ""
        #expect(line.contains("is the demo owner"), "\(line)")
        #expect(line.contains("https://registry.example.com"))
        #expect(line.contains("set OWNER_ADDRESS to your own wallet's address in .env"))
    }
}
