import ArgumentParser
import DstackBackend

/// The setting flags (`--registry-url x` or `--registry-url=x`), read against `Configuration.settings`: one
/// flag per table row, so a new setting needs no code here. A flag given wins over the environment.
///
/// swift-argument-parser declares options at compile time, so these arrive as unrecognized arguments and
/// are checked here; `--help`, `--version` and the subcommands' own options stay the parser's.
struct SettingsOptions: ParsableArguments {
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Setting flags: see SETTINGS below.", visibility: .hidden))
    var arguments: [String] = []

    func validate() throws {
        do {
            _ = try Self.parse(arguments)
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// The flags given, keyed by the environment variable they override (checked by `validate`).
    var byEnvironmentName: [String: String] {
        (try? Self.parse(arguments)) ?? [:]
    }

    /// What is wrong with a command line, in the parser's words (`Unknown option '--x'`).
    struct FlagError: Error, Equatable {
        let message: String
    }

    /// `arguments` as setting values keyed by variable name; the last of a repeated flag wins.
    static func parse(_ arguments: [String]) throws(FlagError) -> [String: String] {
        var values: [String: String] = [:]
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw FlagError(message: "Unexpected argument '\(argument)'")
            }
            let spelled = argument.dropFirst(2)
            let flag = String(spelled.prefix { $0 != "=" })
            guard let setting = Configuration.setting(flag: flag) else {
                throw FlagError(message: "Unknown option '--\(flag)'")
            }
            if spelled.count > flag.count {
                values[setting.name] = String(spelled.dropFirst(flag.count + 1))
            } else if index < arguments.endIndex, !Self.isFlag(arguments[index]) {
                values[setting.name] = arguments[index]
                index += 1
            } else {
                throw FlagError(message: "Missing value for '\(setting.flagSpelling) <\(setting.flag)>'")
            }
        }
        return values
    }

    /// A setting's flag (not a value that happens to start with `-`, such as `-1`).
    private static func isFlag(_ argument: String) -> Bool {
        argument.hasPrefix("--") && Configuration.setting(flag: String(argument.dropFirst(2).prefix { $0 != "=" })) != nil
    }

    /// Every setting with its variables, flag, default and help, from the table, for the commands' help.
    static var settingsHelp: String {
        var lines = [
            "Every setting is an environment variable and a flag: --flag value or --flag=value.",
            "The flag wins; empty variables count as unset. Durations take 5, 2.5, 500ms, 5s, 2m or 1h.",
            "",
            "SETTINGS (variable, flag, default):",
        ]
        for setting in Configuration.settings {
            let names = setting.environmentNames.joined(separator: ", then ")
            lines.append("  \(names)  \(setting.flagSpelling)")
            lines.append("      default: \(setting.defaultText)")
            lines.append("      \(setting.help)")
        }
        return lines.joined(separator: "\n")
    }
}
