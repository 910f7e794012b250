import ArgumentParser
import DstackBackend

/// The daemon (the default subcommand).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: key, registration, VMM poller and the /health server (the default)."
    )

    @OptionGroup var settings: SettingsOptions

    func run() throws {
        let stop = StopSignal()
        SignalHandling.install(stop: stop)
        let configuration = try resolveConfiguration(settings)
        let code = Daemon(configuration: configuration, logger: makeLogger(configuration), stop: stop).run()
        if code != 0 { throw ExitCode(code) }
    }
}
