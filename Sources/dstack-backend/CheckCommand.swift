import ArgumentParser
import DstackBackend

/// Checks configuration, key, VMM and registry; exit 0 only if all pass.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the configuration, the key (never created here), the VMM and the registry (GET only)."
    )

    @OptionGroup var settings: SettingsOptions

    func run() throws {
        let configuration: Configuration
        do {
            configuration = try Configuration.resolve(
                environment: ProcessEnvironment.current(), flags: settings.byEnvironmentName)
        } catch {
            print("[FAIL] configuration:")
            for line in error.lines { print("       \(line)") }
            throw ExitCode(1)
        }
        let results = OperatorCheck(configuration: configuration, logger: .silent).run()
        print(OperatorCheck.report(results))
        if results.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
