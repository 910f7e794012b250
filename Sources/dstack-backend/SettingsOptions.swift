import ArgumentParser
import DstackBackend

/// The setting flags, read against `Configuration.settings` (`SettingFlags`): one flag per table row, so a
/// new setting needs no code here. A flag given wins over the environment.
///
/// swift-argument-parser declares options at compile time, so these arrive as unrecognized arguments and
/// are checked here; `--help`, `--version` and the subcommands' own options stay the parser's.
struct SettingsOptions: ParsableArguments {
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Setting flags: see SETTINGS below.", visibility: .hidden))
    var arguments: [String] = []

    func validate() throws {
        do {
            _ = try SettingFlags.values(from: arguments)
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// The flags given, keyed by the environment variable they override (checked by `validate`).
    var byEnvironmentName: [String: String] {
        (try? SettingFlags.values(from: arguments)) ?? [:]
    }
}
