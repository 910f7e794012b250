import Testing
@testable import DstackBackend

/// Issue 13: a poll or re-check interval of 1 ms was accepted and would hammer the VMM or the registry.
@Suite struct IntervalMinimumTests {
    static let required = ConfigurationTests.required

    @Test func refusesAPollIntervalBelowTheMinimumNamingTheVariableAndTheMinimum() {
        let lines = ConfigurationTests.errorLines(["DSTACK_POLL_INTERVAL": "1ms"])
        #expect(lines.count == 1)
        let line = lines.first ?? ""
        #expect(line.hasPrefix("Error: DSTACK_POLL_INTERVAL \"1ms\" is shorter than the minimum 0.1s"))
        #expect(line.contains("use 0.1s or more"))
    }

    @Test func refusesARecheckIntervalBelowTheMinimumNamingTheVariableAndTheMinimum() {
        let lines = ConfigurationTests.errorLines(["REGISTRY_RECHECK_INTERVAL": "1ms"])
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("Error: REGISTRY_RECHECK_INTERVAL \"1ms\" is shorter than the minimum 1s") == true)
    }

    @Test func theFlagSpellingIsBlamedWhenTheFlagIsShort() {
        do {
            _ = try Configuration.resolve(environment: Self.required, flags: ["DSTACK_POLL_INTERVAL": "0.05"])
            Issue.record("0.05 s was accepted")
        } catch {
            #expect(error.lines.first?.hasPrefix("Error: --dstack-poll-interval \"0.05\" is shorter than the minimum") == true)
        }
    }

    @Test func acceptsExactlyTheMinimums() throws {
        let configuration = try Configuration.resolve(
            environment: Self.required.merging(["DSTACK_POLL_INTERVAL": "100ms", "REGISTRY_RECHECK_INTERVAL": "1s"]) { $1 },
            flags: [:])
        #expect(configuration.dstackPollInterval == .milliseconds(100))
        #expect(configuration.registryRecheckInterval == .seconds(1))
    }

    @Test func otherDurationsKeepNoMinimum() throws {
        let configuration = try Configuration.resolve(
            environment: Self.required.merging(["HTTP_TIMEOUT": "50ms"]) { $1 }, flags: [:])
        #expect(configuration.httpTimeout == .milliseconds(50))
    }
}
