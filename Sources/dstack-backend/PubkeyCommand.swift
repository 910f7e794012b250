import ArgumentParser
import DstackBackend
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Prints the node's public key, creating the key on first use, so an operator can register it by hand.
///
/// Scripts rely on stdout being the bare key, so a key created here is announced on stderr, loudly: run in
/// the wrong directory (or with `sudo` from elsewhere) it is a new identity, not the node's.
struct PubkeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pubkey",
        abstract: "Print the node's public key (hex or npub1…); creates it if missing.",
        discussion: HelpText.paragraphs([
            "stdout is only the key (64 hex, or npub1… with --npub). When no key file exists, a new key is "
                + "created and stderr says so with its absolute path: an existing node's key lives in its data "
                + "directory (/app/data in the image and the compose volume, /var/lib/dstack-backend with the "
                + "systemd unit)."
        ])
    )

    @Flag(help: "Print the NIP-19 npub1… form instead of hex.")
    var npub = false

    @Option(name: .customLong(dataDirectory.flag), help: ArgumentHelp(Self.dataDirectoryHelp))
    var dataDir: String?

    /// The `DATA_DIR` row of the settings table: the flag, default and help `run` uses.
    static let dataDirectory = Configuration.setting(named: "DATA_DIR")!

    static var dataDirectoryHelp: String {
        "\(dataDirectory.name): \(dataDirectory.help) (default \(dataDirectory.defaultText))"
    }

    func run() throws {
        let directory: String
        do {
            directory = try Configuration.resolve(
                environment: ProcessInfo.processInfo.environment,
                flags: dataDir.map { [Self.dataDirectory.name: $0] } ?? [:], only: [Self.dataDirectory.name]
            ).dataDirectory
        } catch {
            for line in error.lines { printError(line) }
            throw ExitCode(ExitStatus.configuration)
        }
        let path = Keystore.keyPath(dataDirectory: directory)
        var info = stat()
        // Two pubkey runs racing on an empty directory may both say so; only one key results (Keystore).
        let existed = lstat(path, &info) == 0
        do {
            let output = try Keystore.pubkeyCommandOutput(dataDirectory: directory, npub: npub, logger: environmentLogger())
            if !existed {
                for line in Self.newKeyNotice(path: Self.absolutePath(path)) {
                    printError(line)
                }
            }
            print(output)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    /// What stderr says after creating a key.
    static func newKeyNotice(path: String) -> [String] {
        [
            "WARNING: no key file was found, so a NEW node key was created: \(path)",
            "WARNING: this is a new node identity. An existing node's key is in its data directory, not here:",
            "WARNING:   docker compose / the image: /app/data/key in the shared-data volume (docker compose exec dstack-backend dstack-backend pubkey)",
            "WARNING:   systemd unit: /var/lib/dstack-backend/key (sudo -u dephy dstack-backend pubkey --data-dir /var/lib/dstack-backend)",
            "WARNING:   otherwise: DATA_DIR, default ./data relative to where the daemon starts",
            "WARNING: if this key was made by mistake, delete \(path) before anything registers it; otherwise back it up.",
        ]
    }

    /// `path` made absolute (the key exists now, so `realpath` resolves it); as given if that fails.
    static func absolutePath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
