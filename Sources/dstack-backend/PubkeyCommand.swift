import ArgumentParser
import DstackBackend

/// Prints the node's public key, creating the key on first use, so an operator can register it by hand.
struct PubkeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pubkey",
        abstract: "Print the node's public key (64 hex, or npub1… with --npub); creates the key on first use."
    )

    @Flag(help: "Print the NIP-19 npub1… form instead of hex.")
    var npub = false

    @Option(name: .customLong("data-dir"), help: "DATA_DIR: directory of the key file (default ./data).")
    var dataDir: String?

    func run() throws {
        let directory = dataDir ?? ProcessEnvironment.current()["DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./data"
        do {
            print(try Keystore.pubkeyCommandOutput(dataDirectory: directory, npub: npub, logger: environmentLogger()))
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}
