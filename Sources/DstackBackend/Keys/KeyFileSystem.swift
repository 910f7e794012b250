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

    /// Runs one system call through `retryingEINTR`, mapping its failure to a `KeystoreError`.
    @discardableResult
    static func call<T: FixedWidthInteger>(
        _ name: String, _ body: () -> T, orThrow map: (SystemError) -> KeystoreError
    ) throws(KeystoreError) -> T {
        do {
            return try retryingEINTR(name, body)
        } catch let error as SystemError {
            throw map(error)
        } catch {
            throw map(SystemError(call: name, errno: EIO))
        }
    }

    /// The key file's bytes, or nil when there is no file. Never blocks on a FIFO and never writes.
    static func read(path: String) throws(KeystoreError) -> Contents? {
        let descriptor: Int32
        do {
            descriptor = try retryingEINTR("open") { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        } catch let error as SystemError {
            switch error.errno {
            case ENOENT: return nil
            case EACCES, EPERM: throw .permissionDenied(path: path, error)
            case ENOTDIR: throw .dataDirectoryNotDirectory(path: parentDirectory(of: path))
            default: throw .readFailed(path: path, error)
            }
        } catch {
            throw .readFailed(path: path, SystemError(call: "open", errno: EIO))
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
        let suffix = Hex.encode((try? SecureRandom.bytes(count: 8)) ?? [])
        let temporary = directory + "/" + StaleKeyTemporaries.name(pid: getpid(), suffix: suffix)
        let failed: (SystemError) -> KeystoreError = { .cannotWriteKey(path: directory, $0) }

        let descriptor = try call(
            "open", { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600) }, orThrow: failed)
        defer { unlink(temporary) }
        do {
            defer { close(descriptor) }
            try call("fchmod", { fchmod(descriptor, 0o600) }, orThrow: failed)
            var written = 0
            while written < contents.count {
                written += try call(
                    "write",
                    { contents.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) } },
                    orThrow: failed)
            }
            try call("fsync", { fsync(descriptor) }, orThrow: failed)
        }
        do {
            try retryingEINTR("link") { link(temporary, path) }
        } catch let error as SystemError {
            if error.errno == EEXIST { return .lostRace }
            throw failed(error)
        } catch {
            throw failed(SystemError(call: "link", errno: EIO))
        }
        return .published
    }

    /// Replaces `path` atomically with `contents` at exactly `mode`: a temporary file in `directory` (fsync),
    /// then `rename(2)`. Only for files that may be overwritten (`key.pub`); never for the key itself.
    static func replace(_ contents: [UInt8], at path: String, in directory: String, mode: mode_t) throws(SystemError) {
        let suffix = Hex.encode((try? SecureRandom.bytes(count: 8)) ?? [])
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = directory + "/." + name + ".tmp." + String(getpid()) + "." + suffix
        func run<T: FixedWidthInteger>(_ call: String, _ body: () -> T) throws(SystemError) -> T {
            do {
                return try retryingEINTR(call, body)
            } catch let error as SystemError {
                throw error
            } catch {
                throw SystemError(call: call, errno: EIO)
            }
        }
        let descriptor = try run("open") {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            _ = try run("fchmod") { fchmod(descriptor, mode) }
            var written = 0
            while written < contents.count {
                written += try run("write") {
                    contents.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
                }
            }
            _ = try run("fsync") { fsync(descriptor) }
        }
        _ = try run("rename") { rename(temporary, path) }
        renamed = true
        syncDirectory(directory)
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
