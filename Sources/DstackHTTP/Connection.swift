import CLinux
import DstackCore

#if canImport(Glibc)
import Glibc
#endif

/// One client connection's state; lives on the event-loop thread only.
final class Connection {
    /// Buffers at most this large are kept for the next request once drained; larger ones are freed, so an
    /// idle connection that once sent or got something large holds no more than a small one.
    static let retainedCapacity = 2048

    /// Where a connection is in its life: one state, as swift-nio's `SocketChannelLifecycleManager`.
    enum State {
        /// Reading and answering requests.
        case open
        /// Answers no more requests (after a refusal, `Connection: close` or the peer's end of input): closes
        /// once its buffered answers are sent.
        case closingAfterFlush
        /// At shutdown, with answers in flight: its input is read and dropped while its answers are sent.
        case draining
        /// At shutdown, the peer ended its input: closes once its answers are sent.
        case drainingInputEnded
        /// At shutdown, its answers sent and its sending side shut (a FIN behind them): closes once the peer
        /// has taken every byte or ended its input.
        case drainingWriteShut
    }

    let fd: Int32
    var state = State.open
    /// Bytes received and not yet consumed; requests are parsed from `inputStart`.
    var input: [UInt8] = []
    var inputStart = 0
    /// How far the request at `inputStart` was already parsed (reset when a request is consumed).
    var progress = ParseProgress()
    /// Bytes to send; sent from `outputStart`.
    var output: [UInt8] = []
    var outputStart = 0
    /// When the current, incomplete request's first byte arrived; nil if none is pending.
    var requestStartedAt: ContinuousClock.Instant?
    /// When the connection last made progress: a request's bytes arrived, or the peer took answer bytes.
    var lastActivity: ContinuousClock.Instant
    /// The epoll interest currently registered.
    var interest: UInt32 = 0
    /// Bytes handed to the kernel so far.
    var bytesSent = 0
    /// `bytesSent` minus the kernel's count of bytes the peer has not taken, at the last look: it grows as
    /// the peer reads. (On a Unix socket the kernel counts buffer overhead too, so it can be below zero.)
    var takenMark = 0
    /// Whether, at the last look, the peer had taken everything sent.
    var allTaken = true
    /// On the server's ready list: whole requests may be waiting in `input` for another turn.
    var queued = false
    /// Its last turn ended with whole requests possibly left and room for their answers.
    var wantsTurn = false
    /// The loop iteration of this connection's last turn, so one iteration gives it at most one.
    var lastTurn: UInt64 = 0

    init(fd: Int32, now: ContinuousClock.Instant) {
        self.fd = fd
        self.lastActivity = now
    }

    var pendingOutput: Int { output.count - outputStart }
    var hasUnparsedInput: Bool { inputStart < input.count }

    /// Nothing in progress as far as the server's own buffers tell: no request bytes (whole or partial), no
    /// answer waiting to be sent, no close pending, no turn queued. Such a connection may be closed at the
    /// connection cap to admit a new one (`isQuietInTheKernel` checks the kernel's queues as well).
    var isIdle: Bool {
        requestStartedAt == nil && !hasUnparsedInput && pendingOutput == 0 && state == .open && !queued
    }

    /// Whether the kernel holds nothing for this connection either: every answer byte taken by the peer
    /// (closing now loses none) and no received bytes unread (closing then would send a reset and drop a
    /// request the peer has already sent); nil if it cannot tell (an ioctl failed) and holds nothing it can
    /// see. Two ioctls: asked only when choosing a connection to evict and at shutdown.
    var isQuietInTheKernel: Bool? {
        let unaccepted = clinux_unaccepted_bytes(fd)
        if unaccepted > 0 { return false }
        let unread = clinux_unread_bytes(fd)
        if unread > 0 { return false }
        return unaccepted == 0 && unread == 0 ? true : nil
    }

    /// Drops consumed input so the buffer does not grow; frees a large buffer once all of it is consumed.
    func compactInput() {
        if inputStart == input.count {
            Self.empty(&input)
            inputStart = 0
        } else if inputStart > 16384 {
            input.removeSubrange(0..<inputStart)
            inputStart = 0
        }
    }

    /// Appends one response: head, the Connection header when needed, the cached Date line, the body.
    func append(_ response: PreparedResponse, date: [UInt8], connectionHeader: StaticString?, includeBody: Bool) {
        output.append(contentsOf: response.head)
        if let connectionHeader {
            connectionHeader.withUTF8Buffer { output.append(contentsOf: $0) }
        }
        output.append(contentsOf: date)
        if includeBody { output.append(contentsOf: response.body) }
    }

    /// Appends bytes sent as they are (an interim `100 Continue`).
    func append(raw: StaticString) {
        raw.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    /// Sends what it can. Returns false if the peer is gone.
    func flush() -> Bool {
        while outputStart < output.count {
            let result = try? syscall(nonBlocking: true, where: "send") {
                output.withUnsafeBytes { raw in
                    send(fd, raw.baseAddress! + outputStart, raw.count - outputStart, Int32(MSG_NOSIGNAL))
                }
            }
            switch result {
            case .processed(let sent) where sent > 0:
                outputStart += sent
                bytesSent += sent
            case .wouldBlock: return true
            case .processed, nil: return false
            }
        }
        Self.empty(&output)
        outputStart = 0
        return true
    }

    /// Whether the peer took answer bytes since the last look (asked of the kernel only while some are out).
    ///
    /// Progress is what the peer accepted, not how often the socket turned writable: a large send buffer
    /// drained slowly but steadily may not turn writable for a long time.
    func peerTookBytes() -> Bool {
        if allTaken && takenMark == bytesSent { return false }
        let unaccepted = clinux_unaccepted_bytes(fd)
        guard unaccepted >= 0 else { return false }
        let mark = bytesSent - Int(unaccepted)
        let progressed = mark > takenMark
        takenMark = mark
        allTaken = unaccepted == 0
        return progressed
    }

    /// Whether answer bytes may still be waiting for the peer in the kernel (as of the last `peerTookBytes`).
    var hasUntakenBytes: Bool { !allTaken || takenMark != bytesSent }

    // MARK: at shutdown: what it still holds, and the reads that empty its input so its close is not a reset

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

    private static func empty(_ buffer: inout [UInt8]) {
        if buffer.capacity > retainedCapacity {
            buffer = []
        } else {
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
