#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a call on a non-blocking descriptor did: its result, or nothing because it would have blocked.
public enum IOResult<T: FixedWidthInteger>: Equatable {
    case processed(T)
    case wouldBlock
}

/// Runs a system call that returns -1 and sets `errno` on failure, the way swift-nio's `syscall` does:
/// retries on `EINTR`, returns `.wouldBlock` for `EAGAIN`/`EWOULDBLOCK` when `nonBlocking` is true (the
/// call is on a non-blocking descriptor, or one with a timeout, and may find nothing to do), and throws
/// `SystemError` naming `call` otherwise.
///
/// The one loop that retries interrupted calls; inlined, so the server's hot path pays no call.
@inlinable @inline(__always)
public func syscall<T: FixedWidthInteger>(
    nonBlocking: Bool, where call: @autoclosure () -> String, _ body: () -> T
) throws(SystemError) -> IOResult<T> {
    while true {
        let result = body()
        if result != -1 { return .processed(result) }
        let code = errno
        if code == EINTR { continue }
        if nonBlocking && (code == EAGAIN || code == EWOULDBLOCK) { return .wouldBlock }
        throw SystemError(call: call(), errno: code)
    }
}

/// Runs a blocking system call through `syscall`: retries on `EINTR`, throws `SystemError` on failure.
@inlinable @discardableResult
public func retryingEINTR<T: FixedWidthInteger>(_ call: String, _ body: () -> T) throws(SystemError) -> T {
    switch try syscall(nonBlocking: false, where: call, body) {
    case .processed(let result): return result
    case .wouldBlock: preconditionFailure("syscall(nonBlocking: false) never returns wouldBlock")
    }
}

extension IOResult: Sendable where T: Sendable {}
