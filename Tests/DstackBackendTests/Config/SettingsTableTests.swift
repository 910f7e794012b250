import Foundation
import Testing

@testable import DstackBackend

/// `Configuration.settings` is the one table: the CLI's flags, the README's settings table and .env.example
/// are checked against it here, so a new row that any of them misses fails a test.
@Suite struct SettingsTableTests {
    static let required = ConfigurationTests.required

    /// Values other than the defaults, so a flag that landed in the wrong property would show. A row not
    /// listed (a new setting) is tried with its default text, which still proves the flag reaches its row.
    static let samples = [
        "LISTEN_ADDR": "127.0.0.1:9090", "DSTACK_URL": "unix:/run/vmm.sock", "DATA_DIR": "/var/lib/x",
        "REGISTRY_URL": "https://other.example.com", "OWNER_ADDRESS": "0x4a1f3c5e7b9d2f6a8c0e1b3d5f7a9c2e4b6d8f01",
        "NODE_TYPE": "CPU", "DSTACK_POLL_INTERVAL": "7s", "DSTACK_TOKEN": "t0ken", "ADVERTISE_IP": "203.0.113.7",
        "HTTP_CONNECT_TIMEOUT": "3s", "HTTP_TIMEOUT": "11s", "REGISTRATION_TIMEOUT": "3m",
        "REGISTRY_RECHECK_INTERVAL": "90s", "REGISTRY_AUTH": "nip98", "METRICS": "false", "LOG_LEVEL": "debug",
        "LOG_FORMAT": "json", "MAX_CONNECTIONS": "77", "IDLE_TIMEOUT": "4s", "REQUEST_TIMEOUT": "6s",
        "MAX_HEADER_BYTES": "4096", "MAX_BODY_BYTES": "1024", "MAX_HEADER_COUNT": "50",
        "MAX_BUFFERED_OUTPUT_BYTES": "2048", "SHUTDOWN_GRACE": "2s",
    ]

    static func sample(_ setting: SettingDescriptor) -> String {
        samples[setting.name] ?? setting.defaultText
    }

    @Test(arguments: Configuration.settings.map(\.name))
    func everyFlagLandsWhereItsVariableDoes(name: String) throws {
        let setting = try #require(Configuration.setting(named: name))
        let value = Self.sample(setting)
        let fromEnvironment = try Configuration.resolve(
            environment: Self.required.merging([name: value]) { $1 }, flags: [:])
        for arguments in [[setting.flagSpelling, value], ["\(setting.flagSpelling)=\(value)"]] {
            let flags = try SettingFlags.values(from: arguments)
            #expect(flags == [name: value])
            let fromFlag = try Configuration.resolve(environment: Self.required, flags: flags)
            #expect(fromFlag.effectiveValues.map(\.value) == fromEnvironment.effectiveValues.map(\.value))
            #expect(fromFlag.sources[name] == "flag \(setting.flagSpelling)")
        }
        #expect(fromEnvironment.sources[name] == "env \(name)")
        if Self.samples[name] != nil {
            let defaults = try Configuration.resolve(environment: Self.required, flags: [:])
            let shown = { (configuration: Configuration) in configuration.effectiveValues.first { $0.setting == setting }?.value }
            #expect(shown(fromEnvironment) != shown(defaults) || setting.isRequired, "\(name) did not change")
        }
    }

    @Test func flagProblemsNameTheFlag() {
        #expect(throws: SettingFlags.Problem(message: "Unknown option '--registry'")) {
            try SettingFlags.values(from: ["--registry", "x"])
        }
        #expect(throws: SettingFlags.Problem(message: "Missing value for '--registry-url <registry-url>'")) {
            try SettingFlags.values(from: ["--registry-url"])
        }
        #expect(throws: SettingFlags.Problem(message: "Missing value for '--registry-url <registry-url>'")) {
            try SettingFlags.values(from: ["--registry-url", "--owner-address", "0x1"])
        }
        #expect(throws: SettingFlags.Problem(message: "Unexpected argument 'stray'")) {
            try SettingFlags.values(from: ["stray"])
        }
    }

    @Test func flagValuesMayBeEmptyOrLookLikeNumbers() throws {
        #expect(try SettingFlags.values(from: ["--node-type=", "--max-connections", "-1"])
            == ["NODE_TYPE": "", "MAX_CONNECTIONS": "-1"])
        #expect(try SettingFlags.values(from: ["--log-level", "info", "--log-level=debug"]) == ["LOG_LEVEL": "debug"])
    }

    /// What the start-up log shows for `setting` when its variable is `text`; nil when resolve refuses it.
    static func shown(_ setting: SettingDescriptor, given text: String) -> String? {
        let configuration = try? Configuration.resolve(environment: required.merging([setting.name: text]) { $1 }, flags: [:])
        return configuration?.effectiveValues.first { $0.setting == setting }?.value
    }

    @Test func everyDefaultShownReadsBackAsItself() throws {
        for setting in Configuration.settings where !["(unset)", "(required)"].contains(setting.defaultText) {
            let text = setting.defaultText
            #expect(Self.shown(setting, given: text) == text, "\(setting.name)'s default \(text) does not parse back")
        }
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..").standardized
    }

    /// The README's settings table: one row per setting, in table order, with its variables, flag and default.
    @Test func readmeTableIsTheSettingsTable() throws {
        let readme = try String(contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        let header = try #require(lines.firstIndex(of: "| variable | flag | default | meaning |"))
        let rows = lines[(header + 2)...].prefix { $0.hasPrefix("|") }.map { line in
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        }
        #expect(rows.count == Configuration.settings.count, "README rows: \(rows.map { $0.first ?? "" })")
        for (row, setting) in zip(rows, Configuration.settings) {
            let names = row[0].components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            #expect(names == setting.environmentNames, "README row \(row[0])")
            #expect(row[1] == "`\(setting.flagSpelling)`", "\(setting.name): README flag \(row[1])")
            switch setting.defaultText {
            case "(required)": #expect(row[2] == "required", "\(setting.name): README default \(row[2])")
            case "(unset)": #expect(["unset", "detected"].contains(row[2]), "\(setting.name): README default \(row[2])")
            case let text:
                let written = row[2].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                #expect(Self.shown(setting, given: written) == text, "\(setting.name): README default \(row[2]), table \(text)")
            }
            #expect(!row[3].isEmpty, "\(setting.name) has no meaning in the README")
        }
    }

    /// .env.example offers every setting but the two the image fixes (LISTEN_ADDR, DATA_DIR).
    @Test func envExampleOffersEverySetting() throws {
        let example = try String(contentsOf: Self.packageRoot.appendingPathComponent(".env.example"), encoding: .utf8)
        let offered = Set(
            example.components(separatedBy: "\n").compactMap { line -> String? in
                let text = line.hasPrefix("#") ? String(line.dropFirst()).trimmingCharacters(in: .whitespaces) : line
                guard let equals = text.firstIndex(of: "=") else { return nil }
                return String(text[..<equals])
            })
        for setting in Configuration.settings where !["LISTEN_ADDR", "DATA_DIR"].contains(setting.name) {
            #expect(offered.contains(setting.name), ".env.example lacks \(setting.name)")
        }
    }
}
