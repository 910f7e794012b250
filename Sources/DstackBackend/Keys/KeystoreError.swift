/// Why the node key could not be loaded or created, worded for an operator reading logs at 3 a.m.
///
/// Every message names the file and the likely fix, and never contains key material. Equality is on the
/// code only.
public struct KeystoreError: CodedError {
    public enum Code: Sendable, Equatable {
        /// `load` found no key file (only `loadOrCreate` creates one).
        case keyFileMissing
        case emptyFile
        /// Not 64 hex digits after trimming whitespace.
        case wrongLength
        /// A character that is not a hex digit.
        case notHex
        /// An `nsec1…` whose bech32 checksum does not match.
        case badChecksum
        /// An `nsec1…` that is malformed in another way (characters, case, padding, length).
        case invalidNsec
        /// The file holds a public key (`npub1…`), not a secret key.
        case publicKeyInsteadOfSecretKey
        case zeroKey
        /// The number is not below the curve order n.
        case keyOutOfRange
        /// The key file's path is a symbolic link to a file that does not exist (an unmounted volume).
        case danglingLink
        /// A directory sits at the key file's path.
        case isDirectory
        /// A FIFO, socket or device sits at the key file's path.
        case notRegularFile
        /// The file exists but this user may not read it.
        case permissionDenied
        /// Larger than any key file could be.
        case tooLarge
        /// Reading failed for another reason (I/O error, ...).
        case readFailed
        /// The data directory path goes through something that is not a directory.
        case dataDirectoryNotDirectory
        /// The data directory (or a parent) could not be created.
        case cannotCreateDirectory
        /// The key file could not be written: read-only or full file system, permissions.
        case cannotWriteKey
        /// No secure randomness to generate a key.
        case randomUnavailable
        /// The key file we just published does not read back as the key we generated.
        case readBackMismatch
    }

    public let code: Code
    /// The file or directory at fault.
    public let path: String
    /// The full operator-facing text.
    public let message: String

    init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// What to do about a key file we refuse: never regenerate silently, the node's identity is at stake.
    private static func refusal(_ code: Code, path: String, _ problem: String) -> KeystoreError {
        KeystoreError(
            code, path: path,
            "Error: key file \(path) \(problem). The file was left unchanged. Restore it from your backup "
                + "(64 hex characters or nsec1…); do not delete it: the node's registration and rewards are tied "
                + "to this key, and a new key makes a new node. Only if that identity may be abandoned, move the "
                + "file away and a new key is generated on the next start")
    }

    static func keyFileMissing(path: String, dataDirectory: String) -> KeystoreError {
        KeystoreError(
            .keyFileMissing, path: path,
            "Error: no key file at \(path). Check DATA_DIR (now \(dataDirectory)) points at the node's data "
                + "volume; the daemon creates the key on its first start")
    }
    /// `target` as `readlink` gave it; a relative one is also shown resolved against the link's directory.
    static func danglingLink(path: String, target: String) -> KeystoreError {
        let shown =
            target.hasPrefix("/")
            ? target : "\(target) (\(KeyFileSystem.parentDirectory(of: path))/\(target))"
        return KeystoreError(
            .danglingLink, path: path,
            "Error: key file \(path) is a symbolic link to \(shown), which does not exist (an unmounted volume or a "
                + "moved file?). The link was left unchanged and the daemon will not create a key in its place: mount "
                + "the volume or restore the key file at the link's target, then restart. Do not delete the link to "
                + "get going: a new key makes a new node, and the registration and rewards stay with the old key")
    }
    static func emptyFile(path: String) -> KeystoreError {
        refusal(.emptyFile, path: path, "is empty")
    }
    static func wrongLength(path: String, length: Int) -> KeystoreError {
        refusal(
            .wrongLength, path: path,
            "holds \(length) characters (ignoring surrounding whitespace) where a key is 64 hex characters")
    }
    static func notHex(path: String, position: Int) -> KeystoreError {
        refusal(.notHex, path: path, "has a character that is not a hex digit at byte \(position)")
    }
    static func badChecksum(path: String) -> KeystoreError {
        refusal(.badChecksum, path: path, "holds an nsec1… key whose bech32 checksum does not match (a typo or a truncated copy)")
    }
    static func invalidNsec(path: String, _ problem: KeyError) -> KeystoreError {
        refusal(.invalidNsec, path: path, "holds a malformed nsec1… key: \(problem)")
    }
    static func publicKeyInsteadOfSecretKey(path: String) -> KeystoreError {
        refusal(.publicKeyInsteadOfSecretKey, path: path, "holds a public key (npub1…), not the secret key")
    }
    static func zeroKey(path: String) -> KeystoreError {
        refusal(.zeroKey, path: path, "holds the number zero, which is not a valid secp256k1 secret key")
    }
    static func keyOutOfRange(path: String) -> KeystoreError {
        refusal(.keyOutOfRange, path: path, "holds a number not below the secp256k1 curve order, which is not a valid secret key")
    }
    static func isDirectory(path: String) -> KeystoreError {
        KeystoreError(
            .isDirectory, path: path,
            "Error: key file path \(path) is a directory (often a volume or bind mount of a missing file). "
                + "Remove the directory or mount the key file itself, then restart")
    }
    static func notRegularFile(path: String) -> KeystoreError {
        KeystoreError(
            .notRegularFile, path: path,
            "Error: key file path \(path) is not a regular file (a FIFO, socket or device). Replace it with the "
                + "key file")
    }
    static func permissionDenied(path: String, _ error: SystemError) -> KeystoreError {
        KeystoreError(
            .permissionDenied, path: path,
            "Error: cannot read key file \(path): \(error.reason). Run the daemon as the file's owner, or fix "
                + "ownership (chown) and keep the mode 600")
    }
    static func tooLarge(path: String, size: Int) -> KeystoreError {
        refusal(.tooLarge, path: path, "is \(size) bytes, far larger than a key file (64 bytes); it is not a key file")
    }
    static func readFailed(path: String, _ error: SystemError) -> KeystoreError {
        KeystoreError(
            .readFailed, path: path, "Error: cannot read key file \(path): \(error). Check the disk and the volume mount")
    }
    static func dataDirectoryNotDirectory(path: String) -> KeystoreError {
        KeystoreError(
            .dataDirectoryNotDirectory, path: path,
            "Error: data directory path \(path) is not a directory. Set DATA_DIR to a directory (the key file "
                + "is DATA_DIR/key)")
    }
    static func cannotCreateDirectory(path: String, _ error: SystemError) -> KeystoreError {
        KeystoreError(
            .cannotCreateDirectory, path: path,
            "Error: cannot create data directory \(path): \(error.reason). Create it yourself (mode 700, owned "
                + "by the daemon's user) or point DATA_DIR at a writable volume")
    }
    static func cannotWriteKey(path: String, _ error: SystemError) -> KeystoreError {
        KeystoreError(
            .cannotWriteKey, path: path,
            "Error: cannot write a new key file in \(path): \(error). Make the data directory writable by the "
                + "daemon's user (a read-only volume or full disk also causes this); no key file was created")
    }
    static func randomUnavailable(path: String, _ error: SecureRandomError) -> KeystoreError {
        KeystoreError(.randomUnavailable, path: path, "Error: cannot generate a key for \(path): \(error)")
    }
    static func readBackMismatch(path: String) -> KeystoreError {
        KeystoreError(
            .readBackMismatch, path: path,
            "Error: key file \(path) does not read back as the key just written to it. Another program may be "
                + "writing into the data directory; stop it and restart")
    }
}
