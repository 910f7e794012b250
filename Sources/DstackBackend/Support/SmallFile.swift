#if canImport(Glibc)
import Glibc
#endif

/// Reads a small file whole: `/proc` files (they report a size of 0, so it reads until end of file) and the
/// route table.
enum SmallFile {
    /// The file's text (invalid UTF-8 as U+FFFD), at most about `limit` bytes of it, or the call that failed.
    static func read(_ path: String, limit: Int = 1 << 16) -> Result<String, SystemError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(SystemError(call: "open", errno: errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let n: Int
            do {
                n = try retryingEINTR("read") { Glibc.read(fd, &buffer, buffer.count) }
            } catch {
                return .failure(error)
            }
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }
}
