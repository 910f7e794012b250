import ArgumentParser
import DstackBackend
import FoundationEssentials

/// Checks configuration, key, VMM, registry and listen address; exit 0 unless a check failed (warnings pass).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Test the settings, key, VMM, registry and listen address; no changes.",
        usage: settingsUsage("dstack-backend check"),
        discussion: HelpText.paragraphs([
            "Checks the configuration, the key (never created here), the VMM, the registry (GET only, never a "
                + "registration) and the listen address.",
            "Prints one line per check, [ ok ], [warn], [FAIL] or [skip] (needs what an earlier check found "
                + "missing), with a hint under each warning and failure, then the counts. Exit status 0 when "
                + "nothing failed (warnings included), 1 otherwise.",
        ]) + "\n\n" + SettingFlags.help
    )

    @OptionGroup var settings: SettingsOptions

    func run() throws {
        let configuration: Configuration
        do {
            configuration = try Configuration.resolve(
                environment: ProcessInfo.processInfo.environment, flags: settings.byEnvironmentName)
        } catch {
            print(OperatorCheck.invalidConfigurationReport(error.lines))
            throw ExitCode(1)
        }
        let results = OperatorCheck(configuration: configuration, logger: .silent).run()
        print(OperatorCheck.report(results))
        let code = OperatorCheck.exitCode(results)
        if code != 0 { throw ExitCode(code) }
    }
}
