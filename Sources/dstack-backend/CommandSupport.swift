import ArgumentParser
import DstackBackend

#if canImport(Glibc)
import Glibc
#endif

/// Resolves the configuration from the environment and the flags, or prints every problem and exits 1.
func resolveConfiguration(_ settings: SettingsOptions, overrides: [String: String] = [:]) throws -> Configuration {
    do {
        var flags = settings.byEnvironmentName
        flags.merge(overrides) { $1 }
        return try Configuration.resolve(environment: ProcessEnvironment.current(), flags: flags)
    } catch {
        printConfigurationErrors(error, settings: settings)
        throw ExitCode(1)
    }
}

/// One line per problem on stderr: the plain `Error: …` lines, or with `LOG_FORMAT=json` (flag or
/// environment, even when other settings are wrong) one JSON log object each, so a JSON log pipeline
/// sees why the daemon did not start.
func printConfigurationErrors(_ errors: ConfigurationErrors, settings: SettingsOptions) {
    let requested = settings.logFormat ?? ProcessEnvironment.current()["LOG_FORMAT"] ?? ""
    guard LogFormat(rawValue: String(requested.filter { !$0.isWhitespace }).lowercased()) == .json else {
        for line in errors.lines { printError(line) }
        return
    }
    let logger = Logger(level: .error, sink: StandardErrorSink(format: .json))
    for error in errors.errors {
        logger.error(error.message, ("setting", error.setting))
    }
}

/// The logger the settings ask for (stderr, level, text or JSON).
func makeLogger(_ configuration: Configuration) -> Logger {
    Logger(level: configuration.logLevel, sink: StandardErrorSink(format: configuration.logFormat))
}

/// The logger for subcommands that run before (or without) a full configuration.
func environmentLogger() -> Logger {
    let env = ProcessEnvironment.current()
    let level = env["LOG_LEVEL"].flatMap { LogLevel(name: $0) } ?? .info
    let format = env["LOG_FORMAT"].flatMap { LogFormat(rawValue: $0.lowercased()) } ?? .text
    return Logger(level: level, sink: StandardErrorSink(format: format))
}

func printError(_ line: String) {
    var text = line
    text += "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

extension ConfigurationError {
    /// The message without its leading `Error: `, for `ValidationError` (which adds its own).
    var withoutErrorPrefix: String {
        message.hasPrefix("Error: ") ? String(message.dropFirst("Error: ".count)) : message
    }
}
