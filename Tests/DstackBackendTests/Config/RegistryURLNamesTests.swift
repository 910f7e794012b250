import Testing
@testable import DstackBackend

/// `AUTH_SERVICE_URL`, the reference v0.2's name for `REGISTRY_URL`.
@Suite struct RegistryURLNamesTests {
    static let owner = ["OWNER_ADDRESS": "0x3e5e9111ae8eb78fe1cc3bb8915d5d461f3ef9a9"]

    func resolve(_ environment: [String: String], flags: [String: String] = [:]) throws(ConfigurationError) -> Configuration {
        var merged = Self.owner
        merged.merge(environment) { $1 }
        return try Configuration.resolve(environment: merged, flags: flags)
    }

    @Test func authServiceURLAloneIsTheRegistryAndTheLogSaysSo() throws {
        let configuration = try resolve(["AUTH_SERVICE_URL": "https://auth.example.com/"])
        #expect(configuration.registryURL.description == "https://auth.example.com")
        #expect(configuration.sources["REGISTRY_URL"] == "env AUTH_SERVICE_URL")
        let sink = CollectingSink()
        configuration.logSettings(to: Logger(sink: sink))
        let line = try #require(sink.records(withMessage: "Setting").first { $0.field("name") == "REGISTRY_URL" })
        #expect(line.field("source") == "env AUTH_SERVICE_URL")
        #expect(line.field("value") == "https://auth.example.com")
    }

    @Test func registryURLWinsAndTheSameURLTwiceIsFine() throws {
        let configuration = try resolve(["REGISTRY_URL": "https://r.example.com", "AUTH_SERVICE_URL": "https://r.example.com/"])
        #expect(configuration.sources["REGISTRY_URL"] == "env REGISTRY_URL")
    }

    @Test func twoDifferentRegistriesAreAConfigurationError() {
        let error = #expect(throws: ConfigurationError.self) {
            try resolve(["REGISTRY_URL": "https://a.example.com", "AUTH_SERVICE_URL": "https://b.example.com"])
        }
        #expect(error?.lines == [
            #"Error: REGISTRY_URL "https://a.example.com" and AUTH_SERVICE_URL "https://b.example.com" are both set and differ; AUTH_SERVICE_URL is the older name of the same setting: keep only REGISTRY_URL"#
        ])
    }

    @Test func registriesDifferingOnlyInCredentialsDifferAndTheErrorMasksThem() {
        let passwords = #expect(throws: ConfigurationError.self) {
            try resolve([
                "REGISTRY_URL": "https://alice:s3cretA@r.example.com/", "AUTH_SERVICE_URL": "https://alice:s3cretB@r.example.com",
            ])
        }
        #expect(passwords?.lines == [
            #"Error: REGISTRY_URL "https://alice:***@r.example.com/" and AUTH_SERVICE_URL "https://alice:***@r.example.com" are both set and differ; AUTH_SERVICE_URL is the older name of the same setting: keep only REGISTRY_URL"#
        ])
        let tokens = #expect(throws: ConfigurationError.self) {
            try resolve(["REGISTRY_URL": "https://r.example.com?token=t0kenA", "AUTH_SERVICE_URL": "https://r.example.com?token=t0kenB"])
        }
        let line = tokens?.lines.first ?? ""
        #expect(line.contains("both set and differ"), "\(line)")
        #expect(!line.contains("t0ken"), "\(line)")
        #expect(line.contains("token=***"), "\(line)")
    }

    @Test func theSameCredentialsTwiceAreFine() throws {
        let configuration = try resolve([
            "REGISTRY_URL": "https://alice:pw@r.example.com?token=t", "AUTH_SERVICE_URL": "https://alice:pw@r.example.com/?token=t",
        ])
        #expect(configuration.registryURL.description == "https://alice:***@r.example.com?token=***")
    }

    @Test func theFlagOverridesBothNames() throws {
        let configuration = try resolve(
            ["REGISTRY_URL": "https://a.example.com", "AUTH_SERVICE_URL": "https://b.example.com"],
            flags: ["REGISTRY_URL": "https://c.example.com"])
        #expect(configuration.registryURL.description == "https://c.example.com")
    }

    @Test func neitherNameKeepsTheReferenceMessage() {
        let error = #expect(throws: ConfigurationError.self) { try resolve([:]) }
        #expect(error?.lines == ["Error: REGISTRY_URL environment variable is required for worker registration"])
    }
}
