import ArgumentParser
import DstackBackend
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Resolves the configuration from the environment and the flags, or prints every problem and exits 78
/// (EX_CONFIG: restarting with the same settings cannot help).
func resolveConfiguration(_ settings: SettingsOptions, overrides: [String: String] = [:]) throws -> Configuration {
    do {
        var flags = settings.byEnvironmentName
        flags.merge(overrides) { $1 }
        return try reportingErrorsAsJSON(settings) { () throws(ConfigurationError) in
            try Configuration.resolve(environment: ProcessInfo.processInfo.environment, flags: flags)
        }
    } catch {
        for line in error.lines { printError(line) }
        throw ExitCode(ExitStatus.configuration)
    }
}

/// Runs `resolve`; with `LOG_FORMAT=json` (flag or environment, even when other settings are wrong) its
/// problems are printed here as one JSON log object each, so a JSON log pipeline sees why the daemon did
/// not start, and rethrown with no lines left for the caller's plain-text printing.
func reportingErrorsAsJSON(
    _ settings: SettingsOptions, _ resolve: () throws(ConfigurationError) -> Configuration
) throws(ConfigurationError) -> Configuration {
    do {
        return try resolve()
    } catch {
        let requested = settings.byEnvironmentName["LOG_FORMAT"] ?? ProcessInfo.processInfo.environment["LOG_FORMAT"] ?? ""
        guard LogFormat(rawValue: String(requested.filter { !$0.isWhitespace }).lowercased()) == .json else {
            throw error
        }
        let logger = Logger(level: .error, sink: StandardErrorSink(format: .json))
        for (problem, line) in zip(error.problems, error.lines) {
            logger.error(line, ("setting", problem.setting))
        }
        throw ConfigurationError()
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
    var text = line
    text += "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// The usage line of a command that takes setting flags (the parser cannot list them: they are read
/// against the settings table, not declared), listed under SETTINGS.
func settingsUsage(_ command: String) -> String {
    "\(command) [--<setting> <value>]..."
}
