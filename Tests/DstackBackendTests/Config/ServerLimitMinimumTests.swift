import Testing
@testable import DstackBackend

/// Issue 23: `MAX_HEADER_BYTES=10` was accepted and then every `/health` answered 431. Each server limit below
/// which a plain `GET /health` could not be served is refused at start-up, naming the setting and the minimum.
@Suite struct ServerLimitMinimumTests {
    static let required = ConfigurationTests.required

    /// Each setting with a minimum: the minimum as written, one value below it, and how the value is shown.
    static let minimums: [(name: String, minimum: String, below: String, shown: String)] = [
        ("MAX_HEADER_BYTES", "1024", "10", "1024"),
        ("MAX_HEADER_COUNT", "8", "7", "8"),
        ("MAX_CONNECTIONS", "4", "3", "4"),
        ("IDLE_TIMEOUT", "1s", "999ms", "1s"),
        ("REQUEST_TIMEOUT", "1s", "0.5", "1s"),
    ]

    @Test(arguments: minimums.map(\.name))
    func refusesAValueBelowTheMinimumNamingTheSettingAndTheMinimum(name: String) throws {
        let row = try #require(Self.minimums.first { $0.name == name })
        let lines = ConfigurationTests.errorLines([name: row.below])
        #expect(lines.count == 1, "\(lines)")
        let line = lines.first ?? ""
        let smaller = name.hasSuffix("TIMEOUT") ? "shorter" : "smaller"
        #expect(line.hasPrefix("Error: \(name) \"\(row.below)\" is \(smaller) than the minimum \(row.shown): "), "\(line)")
        #expect(line.hasSuffix("; use \(row.shown) or more"), "\(line)")
    }

    @Test(arguments: minimums.map(\.name))
    func acceptsExactlyTheMinimum(name: String) throws {
        let row = try #require(Self.minimums.first { $0.name == name })
        let configuration = try Configuration.resolve(environment: Self.required.merging([name: row.minimum]) { $1 }, flags: [:])
        #expect(configuration.effectiveValues.first { $0.setting.name == name }?.value == row.shown)
    }

    @Test func theFlagSpellingIsBlamedWhenTheFlagIsTooSmall() {
        do {
            _ = try Configuration.resolve(environment: Self.required, flags: ["MAX_HEADER_BYTES": "512"])
            Issue.record("512 was accepted")
        } catch {
            #expect(error.lines.first?.hasPrefix("Error: --max-header-bytes \"512\" is smaller than the minimum 1024") == true)
        }
    }

    @Test func zeroStillSaysItMustBeGreaterThanZero() {
        #expect(ConfigurationTests.errorLines(["MAX_HEADER_BYTES": "0"]) == ["Error: MAX_HEADER_BYTES \"0\" must be greater than zero"])
    }

    /// A GET /health can be served with any body or output limit: it has no body, and an answer is always
    /// written (the output limit only stops reading further requests). Those keep 1 as their floor.
    @Test func theBodyAndOutputLimitsKeepOneAsTheirFloor() throws {
        let configuration = try Configuration.resolve(
            environment: Self.required.merging(["MAX_BODY_BYTES": "1", "MAX_BUFFERED_OUTPUT_BYTES": "1"]) { $1 }, flags: [:])
        #expect(configuration.serverLimits.maxBodyBytes == 1)
        #expect(configuration.serverLimits.maxBufferedOutputBytes == 1)
    }
}
