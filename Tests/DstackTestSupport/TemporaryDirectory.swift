import DstackCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A fresh temporary directory for one test, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        var template = Array("/tmp/dstack-backend-test-XXXXXX".utf8CString)
        guard let result = mkdtemp(&template) else {
            let code = errno  // read before anything else can change it
            throw SystemTestError("\(SystemError(call: "mkdtemp", errno: code))")
        }
        path = String(cString: result)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
