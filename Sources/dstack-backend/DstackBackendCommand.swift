import ArgumentParser
import DstackBackend

/// `dstack-backend`: the daemon by default, plus operator subcommands.
@main
struct DstackBackendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dstack-backend",
        abstract: "Health backend for a dstack GPU host in the DePHY network.",
        discussion: HelpText.paragraphs([
            "With no subcommand, runs the daemon: loads or creates the node key, registers with the registry, "
                + "polls the dstack VMM and serves /health for dephy-worker.",
            "Every setting is an environment variable and a flag; the flag wins. Settings, defaults and examples:",
        ]) + "\n  dstack-backend run --help",
        version: BuildInfo.version,
        subcommands: [
            RunCommand.self, PubkeyCommand.self, CheckCommand.self, HealthcheckCommand.self, DemoCommand.self,
            SimulateCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )
}
