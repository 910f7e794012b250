#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls behind the keystore: a capped, non-blocking read, a create-only atomic publish (the key)
/// and an atomic replace (`key.pub`).
enum KeyFileSystem {
    /// Reads are capped here: a key file is at most about 70 bytes with whitespace.
    static let maximumFileSize = 4096

    struct Contents {
        var bytes: [UInt8]
        /// Permission bits, e.g. 0o600.
        var mode: mode_t
    }

    /// Runs one blocking system call through `retryingEINTR`, mapping its failure to a `KeystoreError`.
    @discardableResult
    static func call<T: FixedWidthInteger>(
        _ name: String, _ body: () -> T, orThrow map: (SystemError) -> KeystoreError
    ) throws(KeystoreError) -> T {
        do {
            return try retryingEINTR(name, body)
        } catch {
            throw map(error)
        }
    }

    /// The key file's bytes, or nil when there is no file. Never blocks on a FIFO and never writes.
    static func read(path: String) throws(KeystoreError) -> Contents? {
        let descriptor: Int32
        do {
            descriptor = try retryingEINTR("open") { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        } catch {
            switch error.errno {
            case ENOENT:
                if let target = danglingLinkTarget(path) { throw .danglingLink(path: path, target: target) }
                return nil
            case EACCES, EPERM: throw .permissionDenied(path: path, error)
            case ENOTDIR: throw .dataDirectoryNotDirectory(path: parentDirectory(of: path))
            default: throw .readFailed(path: path, error)
            }
        }
        defer { close(descriptor) }

        var status = stat()
        try call("fstat", { fstat(descriptor, &status) }, orThrow: { .readFailed(path: path, $0) })
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .isDirectory(path: path)
        default: throw .notRegularFile(path: path)
        }
        guard status.st_size <= maximumFileSize else { throw .tooLarge(path: path, size: Int(status.st_size)) }

        // One byte more than the cap, in case the file grew since fstat.
        var bytes = [UInt8](repeating: 0, count: maximumFileSize + 1)
        var count = 0
        while count < bytes.count {
            let got = try call(
                "read",
                { bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) } },
                orThrow: { .readFailed(path: path, $0) })
            if got == 0 { break }
            count += got
        }
        guard count <= maximumFileSize else {
            SecureRandom.cleanse(&bytes)
            throw .tooLarge(path: path, size: count)
        }
        let contents = Array(bytes[..<count])
        SecureRandom.cleanse(&bytes)
        return Contents(bytes: contents, mode: status.st_mode & 0o7777)
    }

    /// The target of the symbolic link at `path` when `path` is one (`open` said ENOENT, so it points at nothing).
    ///
    /// Such a link is not "no key": creating a key would go through the link (or fail at `link(2)`), and the
    /// key it should point at is likely on a volume that is not mounted.
    static func danglingLinkTarget(_ path: String) -> String? {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return "?" }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Creates `path` and its missing parents with mode 0700; existing directories are left as they are.
    static func createDirectories(_ path: String) throws(KeystoreError) {
        var prefixes = [String]()
        var current = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + component
            prefixes.append(current)
        }
        for prefix in prefixes {
            var status = stat()
            if stat(prefix, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else { throw .dataDirectoryNotDirectory(path: prefix) }
                continue
            }
            let statError = errno
            if statError == ENOTDIR { throw .dataDirectoryNotDirectory(path: prefix) }
            if statError != ENOENT {
                throw .cannotCreateDirectory(path: prefix, SystemError(call: "stat", errno: statError))
            }
            if mkdir(prefix, 0o700) == -1 {
                let mkdirError = errno
                // Another process created it between our stat and mkdir.
                if mkdirError == EEXIST, stat(prefix, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { continue }
                if mkdirError == ENOTDIR { throw .dataDirectoryNotDirectory(path: prefix) }
                throw .cannotCreateDirectory(path: prefix, SystemError(call: "mkdir", errno: mkdirError))
            }
            // mkdir honours the umask; make the mode exactly 0700.
            try call("chmod", { chmod(prefix, 0o700) }, orThrow: { .cannotCreateDirectory(path: prefix, $0) })
            syncDirectory(parentDirectory(of: prefix))
        }
    }

    enum PublishResult {
        case published
        /// Another process published a key first; ours was discarded.
        case lostRace
    }

    /// Writes `contents` to a fresh temporary file in `directory` (0600, fsync) and hard-links it to `path`.
    ///
    /// `link(2)` never replaces an existing file, so an existing key is never overwritten and of two racing
    /// processes exactly one publishes. The temporary file is removed on every path.
    static func publish(_ contents: [UInt8], at path: String, in directory: String) throws(KeystoreError)
        -> PublishResult
    {
        let temporary = temporaryPath(for: path, in: directory)
        do {
            try writeTemporary(contents, at: temporary, mode: 0o600)
        } catch {
            throw .cannotWriteKey(path: directory, error)
        }
        defer { unlink(temporary) }
        do {
            try retryingEINTR("link") { link(temporary, path) }
        } catch {
            if error.errno == EEXIST { return .lostRace }
            throw .cannotWriteKey(path: directory, error)
        }
        return .published
    }

    /// Replaces `path` atomically with `contents` at exactly `mode`: a temporary file in `directory` (fsync),
    /// then `rename(2)` and an fsync of `directory`. Only for files that may be overwritten (`key.pub`); never
    /// for the key itself.
    static func replace(_ contents: [UInt8], at path: String, in directory: String, mode: mode_t) throws(SystemError) {
        let temporary = temporaryPath(for: path, in: directory)
        try writeTemporary(contents, at: temporary, mode: mode)
        do {
            try retryingEINTR("rename") { rename(temporary, path) }
        } catch {
            unlink(temporary)
            throw error
        }
        syncDirectory(directory)
    }

    /// `directory/.<file name of path>.tmp.<pid>.<16 random lower-case hex>`: for the key, exactly the pattern
    /// `StaleKeyTemporaries` removes after a crash. The suffix is empty when no randomness is available
    /// (`O_EXCL` still refuses a name that exists).
    static func temporaryPath(for path: String, in directory: String) -> String {
        let suffix = Hex.encode((try? SecureRandom.bytes(count: 8)) ?? [])
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return directory + "/." + name + ".tmp." + String(getpid()) + "." + suffix
    }

    /// Creates `temporary` (never following or reusing a name) with `contents` at exactly `mode`, on disk
    /// (fsync) before the caller links or renames it into place. On failure the file is removed.
    private static func writeTemporary(_ contents: [UInt8], at temporary: String, mode: mode_t) throws(SystemError) {
        let descriptor = try retryingEINTR("open") {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        }
        defer { close(descriptor) }
        do {
            try retryingEINTR("fchmod") { fchmod(descriptor, mode) }
            var written = 0
            while written < contents.count {
                written += try retryingEINTR("write") {
                    contents.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
                }
            }
            try retryingEINTR("fsync") { fsync(descriptor) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Flushes a directory's entries (a new file or subdirectory) to disk. Best effort: some file systems
    /// refuse fsync on directories, and the entry is already visible either way.
    @discardableResult
    static func syncDirectory(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return (try? retryingEINTR("fsync") { fsync(descriptor) }) != nil
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
