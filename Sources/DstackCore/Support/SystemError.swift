#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, with the call's name and `errno`.
///
/// The one place where `errno` becomes a Swift error (see `syscall(blocking:where:_:)`).
public struct SystemError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The system call or library function that failed, e.g. `open`.
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// The C library's words for `errno`, e.g. "Permission denied".
    public var reason: String {
        String(cString: strerror(errno))
    }

    public var description: String {
        "\(call) failed: \(reason) (errno \(errno))"
    }
}
