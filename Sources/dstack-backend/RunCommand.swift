import ArgumentParser
import DstackBackend

/// The daemon (the default subcommand).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: key, registration, VMM polls, /health (the default).",
        usage: settingsUsage("dstack-backend [run]"),
        discussion: settingsHelp
    )

    @OptionGroup var settings: SettingsOptions

    func run() throws {
        let stop = StopSignal()
        SignalHandling.install(stop: stop)
        let configuration = try resolveConfiguration(settings)
        let code = Daemon(configuration: configuration, logger: makeLogger(configuration), stop: stop).run()
        if code != 0 { throw ExitCode(code) }
    }

    /// Every setting with its variable, flag and default (from `Configuration.settings`, the one list the
    /// daemon reads), then two examples.
    static var settingsHelp: String {
        [
            SettingFlags.help,
            "",
            "EXAMPLES:",
            "  # Settings from the environment, the VMM over its Unix socket:",
            "  REGISTRY_URL=http://registry.example:9000 \\",
            "    OWNER_ADDRESS=<your 0x payout address> \\",
            "    DSTACK_URL=unix:/opt/dstack/dstack-v05x/run/vmm.sock dstack-backend",
            "  # Flags instead; node type from the GPUs, JSON logs, loopback only:",
            "  dstack-backend run --registry-url http://127.0.0.1:9000 \\",
            "    --owner-address <your 0x payout address> \\",
            "    --dstack-url http://127.0.0.1:14520 --node-type auto \\",
            "    --log-format json --listen-addr 127.0.0.1:8080",
            "",
            HelpText.paragraphs([
                "Try `dstack-backend check` with the same settings first: it tests them without registering."
            ]),
        ].joined(separator: "\n")
    }
}
