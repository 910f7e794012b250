/// The command line's setting flags (`--registry-url x` or `--registry-url=x`), one per row of
/// `Configuration.settings`, as the `flags` that `Configuration.resolve(environment:flags:)` takes.
public enum SettingFlags {
    /// What is wrong with a command line, in swift-argument-parser's words (`Unknown option '--x'`).
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// `arguments` as setting values keyed by primary variable name; the last of a repeated flag wins.
    public static func values(from arguments: [String]) throws(Problem) -> [String: String] {
        var values: [String: String] = [:]
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw Problem(message: "Unexpected argument '\(argument)'")
            }
            let spelled = argument.dropFirst(2)
            let flag = String(spelled.prefix { $0 != "=" })
            guard let setting = Configuration.setting(flag: flag) else {
                throw Problem(message: "Unknown option '--\(flag)'")
            }
            if spelled.count > flag.count {
                values[setting.name] = String(spelled.dropFirst(flag.count + 1))
            } else if index < arguments.endIndex, !isSettingFlag(arguments[index]) {
                values[setting.name] = arguments[index]
                index += 1
            } else {
                throw Problem(message: "Missing value for '\(setting.flagSpelling) <\(setting.flag)>'")
            }
        }
        return values
    }

    /// A setting's flag, as opposed to a value that happens to start with `-` (such as `-1`, refused later
    /// with the setting's own message).
    private static func isSettingFlag(_ argument: String) -> Bool {
        argument.hasPrefix("--") && Configuration.setting(flag: String(argument.dropFirst(2).prefix { $0 != "=" })) != nil
    }

    /// How settings are given, then `table`, for the `--help` of the commands that take setting flags.
    public static var help: String {
        HelpText.paragraphs([
            "Every setting is an environment variable and a flag: --flag value or --flag=value. The flag "
                + "wins; empty variables count as unset. Durations take 5, 2.5, 500ms, 5s, 2m or 1h."
        ]) + "\n\n" + table()
    }

    /// Every setting with its variables, flag, default and help. For a command that sets some settings itself
    /// (`demo`), their rows show `setBy[name]` (what that command uses, and why) in place of the default, and
    /// `run`'s default after it.
    public static func table(setBy: [String: String] = [:], command: String = "") -> String {
        var lines = ["SETTINGS (variable, flag, default\(setBy.isEmpty ? "" : "; * set by \(command)")):"]
        for setting in Configuration.settings {
            let names = setting.environmentNames.joined(separator: ", then ")
            let mark = setBy[setting.name] == nil ? "" : " *"
            lines.append("  \(names)  \(setting.flagSpelling)\(mark)")
            if let used = setBy[setting.name] {
                let run = setting.isRequired ? "run requires it" : "run's default: \(setting.defaultText)"
                lines += HelpText.wrap("\(command): \(used) (\(run))", indent: 6, hanging: 8)
            } else {
                lines += HelpText.wrap("default: \(setting.defaultText)", indent: 6, hanging: 8)
            }
            lines += HelpText.wrap(setting.help, indent: 6)
        }
        return lines.joined(separator: "\n")
    }
}
