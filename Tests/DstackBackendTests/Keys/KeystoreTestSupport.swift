import Foundation
import Testing
@testable import DstackBackend
import DstackTestSupport

/// Key-file helpers on the shared `TemporaryDirectory` (Support/FakeHTTPServer.swift).
extension TemporaryDirectory {
    /// Writes `bytes` to `name` with `mode`.
    func write(_ bytes: [UInt8], to name: String, mode: Int = 0o600) throws {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
    }

    func contents(of name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path + "/" + name).map { Array($0) }
    }

    func entries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    static func mode(of path: String) -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else { return -1 }
        return Int(status.st_mode & 0o7777)
    }
}
