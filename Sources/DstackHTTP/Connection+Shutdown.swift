import CLinux
import DstackCore

#if canImport(Glibc)
import Glibc
#endif

/// What a connection still holds at shutdown, and the reads that empty its input so its close is not a reset.
extension Connection {
    /// Nothing to send (in our buffer or the kernel's), nothing unanswered or unread: it can close at once.
    ///
    /// Anything else gets the shutdown grace. Closing a socket with unread input makes the kernel answer with
    /// a reset and drop every answer still queued for the peer, so such a connection is never just closed.
    var isIdleAtShutdown: Bool {
        pendingOutput == 0 && !hasUnparsedInput && clinux_unaccepted_bytes(fd) <= 0 && clinux_unread_bytes(fd) <= 0
    }

    /// Bytes sent that the peer has not taken yet (a FIN counts until it is acknowledged).
    var untakenInKernel: Int { max(0, Int(clinux_unaccepted_bytes(fd))) }

    enum InputDrain { case open, ended, failed }

    /// Reads and drops whatever the peer sent (at most `limit` buffers' worth per call, so a peer that keeps
    /// sending cannot hold the loop): at shutdown its requests are no longer answered.
    func discardInput(into buffer: inout [UInt8], limit: Int = 16) -> InputDrain {
        input = []
        inputStart = 0
        for _ in 0..<limit {
            let result = try? syscall(blocking: true, where: "recv") {
                buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            }
            switch result {
            case .processed(0): return .ended
            case .processed: continue
            case .wouldBlock: return .open
            case nil: return .failed
            }
        }
        return .open
    }
}
