import CLinux
import DstackCore

#if canImport(Glibc)
import Glibc
#endif

/// What a connection still holds at shutdown, and the reads that empty its input so its close is not a reset.
extension Connection {
    /// Bytes sent that the peer has not taken yet (a FIN counts until it is acknowledged).
    var untakenInKernel: Int { max(0, Int(clinux_unaccepted_bytes(fd))) }

    enum InputDrain { case open, ended, failed }

    /// Reads and drops whatever the peer sent (at most `limit` buffers' worth per call, so a peer that keeps
    /// sending cannot hold the loop): at shutdown its requests are no longer answered.
    func discardInput(into buffer: inout [UInt8], limit: Int = 16) -> InputDrain {
        input = []
        inputStart = 0
        for _ in 0..<limit {
            let result = try? syscall(nonBlocking: true, where: "recv") {
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
