#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The node key file, `$DATA_DIR/key`, shared with dephy-worker (CONTRACT.md section 2).
///
/// An existing key file is never overwritten, regenerated or repaired: a bad file is refused and left
/// byte-for-byte as it was, since losing the key loses the node's registration and rewards.
public enum Keystore {
    public static func keyPath(dataDirectory: String) -> String {
        let directory = normalized(dataDirectory)
        return directory.hasSuffix("/") ? directory + "key" : directory + "/key"
    }

    /// `key.pub`, as dephy-io's key loader writes it beside `key`.
    static func publicKeyPath(dataDirectory: String) -> String {
        keyPath(dataDirectory: dataDirectory) + ".pub"
    }

    /// Loads the key, creating it when there is no key file yet, then (re)writes `key.pub`: a convenience for
    /// operators, so failing to write it is only logged.
    static func loadOrCreate(dataDirectory: String, logger: Logger) throws(KeystoreError) -> NodeKey {
        let key = try loadOrCreateKey(dataDirectory: dataDirectory, logger: logger)
        writePublicKeyFile(key, dataDirectory: normalized(dataDirectory), logger: logger)
        return key
    }

    /// 64 lower-case hex, no newline, mode 0644, replaced atomically.
    static func writePublicKeyFile(_ key: NodeKey, dataDirectory directory: String, logger: Logger) {
        let path = publicKeyPath(dataDirectory: directory)
        do {
            try KeyFileSystem.replace(Array(key.publicKeyHex.utf8), at: path, in: directory, mode: 0o644)
        } catch {
            logger.warn(
                "Could not write the public key file; the node key is unaffected", ("path", path),
                ("reason", error.description), ("fix", "make the data directory writable by the daemon's user"))
        }
    }

    private static func loadOrCreateKey(dataDirectory: String, logger: Logger) throws(KeystoreError) -> NodeKey {
        let directory = normalized(dataDirectory)
        let path = keyPath(dataDirectory: directory)
        try KeyFileSystem.createDirectories(directory)
        StaleKeyTemporaries.remove(in: directory, logger: logger)
        if let key = try loadIfPresent(path: path, logger: logger) {
            logger.info("Loaded the node key", ("key.path", path), ("pubkey", key.publicKeyHex))
            return key
        }

        let secret: SecretKey
        do {
            secret = try SecretKey.generate()
        } catch {
            throw .randomUnavailable(path: path, error)
        }
        let generated = try nodeKey(secret, path: path)
        var contents = secret.withUnsafeBytes(Hex.encodedBytes)
        defer { SecureRandom.cleanse(&contents) }

        switch try KeyFileSystem.publish(contents, at: path, in: directory) {
        case .published:
            if !KeyFileSystem.syncDirectory(directory) {
                logger.warn("Could not fsync the data directory after writing the key", ("data.dir", directory))
            }
            guard let stored = try loadIfPresent(path: path, logger: logger),
                stored.publicKey == generated.publicKey
            else { throw .readBackMismatch(path: path) }
            logger.info("Generated a new node key", ("key.path", path), ("pubkey", stored.publicKeyHex))
            return stored
        case .lostRace:
            guard let theirs = try loadIfPresent(path: path, logger: logger) else {
                throw .keyFileMissing(path: path, dataDirectory: directory)
            }
            logger.info(
                "Another process created the node key first; using it", ("key.path", path),
                ("pubkey", theirs.publicKeyHex))
            return theirs
        }
    }

    /// Loads the key; never creates anything.
    static func load(dataDirectory: String, logger: Logger) throws(KeystoreError) -> NodeKey {
        let directory = normalized(dataDirectory)
        let path = keyPath(dataDirectory: directory)
        guard let key = try loadIfPresent(path: path, logger: logger) else {
            throw .keyFileMissing(path: path, dataDirectory: directory)
        }
        logger.info("Loaded the node key", ("key.path", path), ("pubkey", key.publicKeyHex))
        return key
    }

    private static func loadIfPresent(path: String, logger: Logger) throws(KeystoreError) -> NodeKey? {
        guard var contents = try KeyFileSystem.read(path: path) else { return nil }
        defer { SecureRandom.cleanse(&contents.bytes) }
        let key = try nodeKey(try KeyFileContents.parse(contents.bytes, path: path), path: path)
        if contents.mode & 0o077 != 0 {
            logger.warn(
                "Key file is readable by other users; restrict it with chmod 600", ("key.path", path),
                ("key.mode", "0" + String(contents.mode, radix: 8)), ("fix", "chmod 600 \(path)"))
        }
        return key
    }

    private static func nodeKey(_ secret: SecretKey, path: String) throws(KeystoreError) -> NodeKey {
        do {
            return try NodeKey(secretKey: secret)
        } catch {
            throw .keyOutOfRange(path: path)
        }
    }

    /// An empty `DATA_DIR` means the current directory.
    private static func normalized(_ dataDirectory: String) -> String {
        dataDirectory.isEmpty ? "." : dataDirectory
    }

    /// What `dstack-backend pubkey` prints. Creates the key on first use, so an operator can learn the pubkey
    /// before the first start.
    public static func pubkeyCommandOutput(dataDirectory: String, npub: Bool, logger: Logger) throws(KeystoreError)
        -> String
    {
        let key = try loadOrCreate(dataDirectory: dataDirectory, logger: logger)
        return npub ? key.npub : key.publicKeyHex
    }
}
