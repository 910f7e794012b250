#if canImport(Glibc)
import Glibc
#endif

/// Who holds a TCP port or a Unix socket path in this network namespace, for `check`'s hint.
///
/// The kernel lists every socket with its owner's uid and inode in `/proc/net/tcp`, `tcp6` and `unix`;
/// the process is the one whose `/proc/<pid>/fd` has a link to `socket:[<inode>]`, which this user can
/// read only for its own processes (all of them as root).
struct ListenerHolder: CustomStringConvertible {
    /// The socket owner's uid, from `/proc/net/tcp{,6}` (nil for a Unix socket, whose table has none).
    var uid: uid_t?
    /// The processes that have the socket open, when this user may see them.
    var processes: [(pid: Int32, name: String)]

    /// `pid 4242 (nginx)`, `pid 1 (systemd), pid 4242 (nginx)`, or `a process of uid 0 (its pid is not visible
    /// to this user)`.
    var description: String {
        if !processes.isEmpty {
            return processes.map { "pid \($0.pid) (\($0.name))" }.joined(separator: ", ")
        }
        let owner = uid.map { "a process of uid \($0)" } ?? "a process"
        return "\(owner) (its pid is not visible to this user)"
    }

    /// The holder of the TCP socket bound or listening on `port`, or nil if the tables show none.
    static func tcp(port: UInt16, procRoot: String = "/proc") -> ListenerHolder? {
        let hexPort = String(port, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: max(0, 4 - hexPort.count)) + hexPort
        for table in ["net/tcp", "net/tcp6"] {
            for fields in rows(of: procRoot + "/" + table) {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                guard fields.count >= 10, fields[1].hasSuffix(":" + padded) else { continue }
                // 0A is LISTEN; 07 (CLOSE) is a socket bound and not listening yet, which holds the port too.
                guard fields[3] == "0A" || fields[3] == "07", let inode = UInt64(fields[9]), inode != 0 else { continue }
                return ListenerHolder(uid: uid_t(fields[7]), processes: processes(holding: inode, procRoot: procRoot))
            }
        }
        return nil
    }

    /// The holder of the Unix socket bound to `path`, or nil if `/proc/net/unix` lists none.
    static func unix(path: String, procRoot: String = "/proc") -> ListenerHolder? {
        for fields in rows(of: procRoot + "/net/unix") {
            // Num RefCount Protocol Flags Type St Inode Path
            guard fields.count >= 8, fields[7] == path, let inode = UInt64(fields[6]), inode != 0 else { continue }
            return ListenerHolder(uid: nil, processes: processes(holding: inode, procRoot: procRoot))
        }
        return nil
    }

    /// The processes with a descriptor on socket `inode`, as far as this user may look.
    static func processes(holding inode: UInt64, procRoot: String = "/proc") -> [(pid: Int32, name: String)] {
        let target = "socket:[\(inode)]"
        var found: [(pid: Int32, name: String)] = []
        for pid in entries(of: procRoot).compactMap(Int32.init) {
            let fdDirectory = "\(procRoot)/\(pid)/fd"
            for fd in entries(of: fdDirectory) where linkTarget(fdDirectory + "/" + fd) == target {
                found.append((pid, command(of: pid, procRoot: procRoot)))
                break
            }
        }
        return found
    }

    /// The rows of a `/proc/net` table, split on blanks, without its header line.
    private static func rows(of path: String) -> [[String]] {
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var rows: [[String]] = []
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        var first = true
        while getline(&line, &capacity, file) > 0, let line {
            defer { first = false }
            if first { continue }
            rows.append(String(cString: line).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
        }
        return rows
    }

    /// The names in a directory, or none when it cannot be read (another user's process).
    private static func entries(of path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The process's command name (`/proc/<pid>/comm`), `?` when it cannot be read.
    private static func command(of pid: Int32, procRoot: String) -> String {
        guard let file = fopen("\(procRoot)/\(pid)/comm", "r") else { return "?" }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return "?" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace()
    }
}
