#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, with the call's name and `errno`.
///
/// The one place where `errno` becomes a Swift error (see `syscall(nonBlocking:where:_:)`).
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

/// What is wrong with a value an operator wrote, without the setting's name, which whoever read the value adds:
/// `"8080" has no port: use host:port such as 0.0.0.0:8080` is printed `Error: LISTEN_ADDR "8080" has no port: …`.
public struct InvalidValue: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
