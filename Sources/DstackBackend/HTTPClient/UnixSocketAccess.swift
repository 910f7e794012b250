#if canImport(Glibc)
import Glibc
#endif

/// Why `connect(2)` to a Unix socket was refused with `EACCES`, in an operator's terms: who owns the
/// socket, its mode, which uid and groups this process has, and what to change.
///
/// Connecting needs write permission on the socket file and search permission on every directory above
/// it. The VMM's socket is usually root's with mode 0755, which the daemon (uid 1573) may not write.
enum UnixSocketAccess {
    /// Who this process is, as the kernel checks it.
    struct Identity: Equatable {
        var uid: uid_t
        var gid: gid_t
        var groups: [gid_t]

        static var current: Identity {
            let count = getgroups(0, nil)
            var groups = [gid_t](repeating: 0, count: Int(max(count, 0)))
            let got = groups.isEmpty ? 0 : getgroups(count, &groups)
            return Identity(uid: geteuid(), gid: getegid(), groups: Array(groups.prefix(Int(max(got, 0)))))
        }

        /// Whether the permission bits of a file with this owner, group and mode let this identity write.
        func mayWrite(owner: uid_t, group: gid_t, mode: mode_t) -> Bool {
            if uid == 0 { return true }
            if uid == owner { return mode & 0o200 != 0 }
            if gid == group || groups.contains(group) { return mode & 0o020 != 0 }
            return mode & 0o002 != 0
        }
    }

    /// The reason for a refused connect to `path` (`errno` is `EACCES` or `EPERM`), with the socket's
    /// owner, group and mode read now, and the fix.
    static func deniedReason(path: String, errno code: Int32, identity: Identity = .current) -> String {
        let denied = "cannot connect to Unix socket \(path): \(SystemError(call: "connect", errno: code).reason)"
        let others = identity.groups.filter { $0 != identity.gid }
        let who = "this process runs as uid \(identity.uid), gid \(identity.gid)"
            + (others.isEmpty ? "" : ", groups \(others.map(String.init).joined(separator: ","))")
        var info = stat()
        guard stat(path, &info) == 0 else {
            let statError = errno
            return "\(denied); \(path) cannot be looked up either (\(SystemError(call: "stat", errno: statError).reason)): "
                + "a directory above it is not searchable (x) by this user; \(who). "
                + "Give that directory o+x (or g+x for the daemon's group), or run the daemon as the socket's owner"
        }
        let owner = "\(userName(info.st_uid) ?? String(info.st_uid)):\(groupName(info.st_gid) ?? String(info.st_gid))"
        let mode = "0" + String(info.st_mode & 0o7777, radix: 8)
        let facts = "the socket is owned by \(owner) (uid \(info.st_uid), gid \(info.st_gid)), mode \(mode) "
            + "(\(symbolicMode(info.st_mode))); \(who)"
        guard !identity.mayWrite(owner: info.st_uid, group: info.st_gid, mode: info.st_mode) else {
            return "\(denied); \(facts), which the mode allows to write, so a security module (SELinux, AppArmor) or "
                + "the container's restrictions refused it"
        }
        return "\(denied): a permission problem, not a missing VMM: \(facts), which may not write to it (connecting "
            + "needs write permission). Fix: give the socket to the daemon's group and let the group write "
            + "(`chgrp \(identity.gid) \(path) && chmod g+w \(path)`, again whenever the VMM recreates it), or run "
            + "the daemon as the socket's owner (docker compose: DSTACK_BACKEND_USER=\(info.st_uid):\(info.st_gid) in .env)"
    }

    /// The user name of `uid`, nil when it has none here (common inside a container).
    static func userName(_ uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 1024)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, let result, let name = result.pointee.pw_name
        else { return nil }
        return String(cString: name)
    }

    /// The group name of `gid`, nil when it has none here.
    static func groupName(_ gid: gid_t) -> String? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, let result, let name = result.pointee.gr_name
        else { return nil }
        return String(cString: name)
    }

    /// `srwxr-xr-x` as `ls -l` prints it.
    static func symbolicMode(_ mode: mode_t) -> String {
        let type: Character =
            switch mode & S_IFMT {
            case S_IFSOCK: "s"
            case S_IFDIR: "d"
            case S_IFREG: "-"
            case S_IFLNK: "l"
            default: "?"
            }
        let letters: [Character] = ["r", "w", "x"]
        let bits = (0..<9).map { index -> Character in
            mode & (0o400 >> mode_t(index)) != 0 ? letters[index % 3] : "-"
        }
        return String([type] + bits)
    }
}
