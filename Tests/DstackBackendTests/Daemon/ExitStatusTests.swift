import Testing
@testable import DstackBackend

@Suite struct ExitStatusTests {
    /// 128 + the signal's number, as shells and systemd expect; a stop that code asked for counts as SIGTERM.
    @Test func theExitStatusFollowsTheStopReason() {
        #expect(ExitStatus.stopped(by: .terminate) == 143)
        #expect(ExitStatus.stopped(by: .interrupt) == 130)
        #expect(ExitStatus.stopped(by: .requested) == 143)
        #expect(ExitStatus.stopped(by: nil) == 143)
    }
}
