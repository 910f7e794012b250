#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials

/// Removes the temporary files a crash during key creation leaves behind: each holds a secret key
/// nobody uses, readable by whoever can read `DATA_DIR`.
///
/// Only our own exact pattern is touched, `.key.tmp.<pid>.<16 lower-case hex>` (see
/// `KeyFileSystem.temporaryPath`), and only regular files, never links or directories. A file counts as stale
/// when the process that created it is gone (and it is older than `orphanMinimumAge`, for a creator in
/// another PID namespace sharing the volume) or when it is older than `maximumAge` whoever made it: key
/// creation takes milliseconds, so a concurrent creator is never disturbed.
enum StaleKeyTemporaries {
    static let prefix = ".key.tmp."
    /// Older than this, a temporary key file is stale whether or not its creator is alive.
    static let maximumAge = 60.0
    /// A file of a creator that is gone is left alone this long.
    static let orphanMinimumAge = 2.0

    /// The creating pid, when `name` is exactly a temporary key file's name.
    static func creator(ofName name: String) -> pid_t? {
        guard name.hasPrefix(prefix) else { return nil }
        let parts = name.dropFirst(prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let pidText = parts.first, !pidText.isEmpty, pidText.utf8.count <= 10,
            pidText.allSatisfy(\.isASCIIDigit), let pid = pid_t(pidText), pid > 0
        else { return nil }
        let suffix = parts[1]
        // `KeyFileSystem.temporaryPath` uses an empty suffix when random bytes were unavailable.
        guard suffix.isEmpty || (suffix.utf8.count == 16 && Hex.isLowerCase(suffix)) else { return nil }
        return pid
    }

    /// Whether process `pid` exists. Our own pid counts as gone: this process is not creating a key while
    /// it cleans up, so such a file is from an earlier life with the same pid (pid 1 in a container).
    static func isAlive(_ pid: pid_t) -> Bool {
        if pid == getpid() { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Removes the stale temporary key files in `directory`, logging each removal (never the contents).
    static func remove(in directory: String, logger: Logger, now: Double = Date.now.timeIntervalSince1970) {
        guard let stream = opendir(directory) else {
            logger.warn(
                "Cannot list the data directory to look for stale temporary key files", ("data.dir", directory),
                ("reason", SystemError(call: "opendir", errno: errno).description))
            return
        }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(prefix) { names.append(name) }
        }
        closedir(stream)
        for name in names.sorted() {
            guard let pid = creator(ofName: name) else { continue }
            let path = directory + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
            let age = now - modified
            let creatorGone = !isAlive(pid)
            guard age >= maximumAge || (creatorGone && age >= orphanMinimumAge) else { continue }
            let fields: [(String, String)] = [
                ("path", path), ("age", SettingParsers.format(.seconds(max(0, age)))), ("creator.pid", String(pid)),
                ("creator.running", String(!creatorGone)),
            ]
            if unlink(path) == 0 {
                logger.log(.warn, "Removed a stale temporary key file left by an interrupted key creation", fields)
            } else if errno != ENOENT {
                logger.log(
                    .warn, "Cannot remove a stale temporary key file; it holds an unused secret key, delete it",
                    fields + [("reason", SystemError(call: "unlink", errno: errno).description)])
            }
        }
    }
}
