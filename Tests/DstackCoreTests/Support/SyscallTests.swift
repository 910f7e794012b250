@testable import DstackCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SyscallTests {
    /// A stand-in system call that fails with `errors` in turn, then returns `result`.
    final class ScriptedCall {
        var errors: [Int32]
        let result: Int
        var calls = 0

        init(failingWith errors: [Int32], then result: Int) {
            self.errors = errors
            self.result = result
        }

        func callAsFunction() -> Int {
            calls += 1
            guard !errors.isEmpty else { return result }
            errno = errors.removeFirst()
            return -1
        }
    }

    @Test func retriesInterruptedCallsUntilTheyFinish() throws {
        let call = ScriptedCall(failingWith: [EINTR, EINTR, EINTR], then: 7)
        #expect(try syscall(nonBlocking: false, where: "read") { call() } == .processed(7))
        #expect(call.calls == 4)
    }

    @Test func wouldBlockIsAResultOnlyWhereTheCallerAsksForIt() throws {
        for code in [EAGAIN, EWOULDBLOCK] {
            let nonBlocking = ScriptedCall(failingWith: [EINTR, code], then: 1)
            #expect(try syscall(nonBlocking: true, where: "recv") { nonBlocking() } == .wouldBlock)
            let blocking = ScriptedCall(failingWith: [code], then: 1)
            let error = #expect(throws: SystemError.self) { try syscall(nonBlocking: false, where: "recv") { blocking() } }
            #expect(error == SystemError(call: "recv", errno: code))
        }
    }

    @Test func aFailureNamesTheCallAndItsErrno() {
        let call = ScriptedCall(failingWith: [EBADF], then: 0)
        let error = #expect(throws: SystemError.self) { try syscall(nonBlocking: true, where: "send") { call() } }
        #expect(error?.call == "send")
        #expect(error?.errno == EBADF)
        #expect(error?.description == "send failed: Bad file descriptor (errno \(EBADF))")
    }

    @Test func anEmptyNonBlockingSocketWouldBlockAndABadDescriptorThrows() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var byte: UInt8 = 0
        #expect(try syscall(nonBlocking: true, where: "recv") { recv(fds[0], &byte, 1, 0) } == .wouldBlock)
        // Not a closed descriptor: tests run in parallel, and another one may own its number by now.
        let error = #expect(throws: SystemError.self) { try syscall(nonBlocking: true, where: "recv") { recv(-1, &byte, 1, 0) } }
        #expect(error?.errno == EBADF)
    }

    @Test func retryingEINTRReturnsTheResultOrThrows() throws {
        let call = ScriptedCall(failingWith: [EINTR], then: 3)
        #expect(try retryingEINTR("fsync") { call() } == 3)
        let failing = ScriptedCall(failingWith: [EIO], then: 0)
        #expect(throws: SystemError(call: "fsync", errno: EIO)) { try retryingEINTR("fsync") { failing() } }
    }
}
