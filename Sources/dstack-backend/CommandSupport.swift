import ArgumentParser
import DstackBackend
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

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

/// Resolves the configuration from the environment and the flags, or prints every problem and exits 78
/// (EX_CONFIG: restarting with the same settings cannot help).
///
/// With `LOG_FORMAT=json` (flag or environment, even when other settings are wrong) each problem is printed
/// as one JSON log object, so a JSON log pipeline sees why the daemon did not start.
func resolveConfiguration(_ settings: SettingsOptions) throws -> Configuration {
    let environment = ProcessInfo.processInfo.environment
    do {
        return try Configuration.resolve(environment: environment, flags: settings.byEnvironmentName)
    } catch {
        let requested = settings.byEnvironmentName["LOG_FORMAT"] ?? environment["LOG_FORMAT"] ?? ""
        if LogFormat(rawValue: String(requested.filter { !$0.isWhitespace }).lowercased()) == .json {
            let logger = Logger(level: .error, sink: StandardErrorSink(format: .json))
            for (problem, line) in zip(error.problems, error.lines) {
                logger.error(line, ("setting", problem.setting))
            }
        } else {
            for line in error.lines { printError(line) }
        }
        throw ExitCode(ExitStatus.configuration)
    }
}

/// The logger the settings ask for (stderr, level, text or JSON).
func makeLogger(_ configuration: Configuration) -> Logger {
    Logger(level: configuration.logLevel, sink: StandardErrorSink(format: configuration.logFormat))
}

/// The logger for subcommands that run before (or without) a full configuration.
func environmentLogger() -> Logger {
    let env = ProcessInfo.processInfo.environment
    let level = env["LOG_LEVEL"].flatMap { LogLevel(name: $0) } ?? .info
    let format = env["LOG_FORMAT"].flatMap { LogFormat(rawValue: $0.lowercased()) } ?? .text
    return Logger(level: level, sink: StandardErrorSink(format: format))
}

func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// The usage line of a command that takes setting flags (the parser cannot list them: they are read
/// against the settings table, not declared), listed under SETTINGS.
func settingsUsage(_ command: String) -> String {
    "\(command) [--<setting> <value>]..."
}
