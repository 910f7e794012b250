#if canImport(Glibc)
import Glibc
#endif

/// One client connection's state; lives on the event-loop thread only.
final class Connection {
    let fd: Int32
    /// Bytes received and not yet consumed; requests are parsed from `inputStart`.
    var input: [UInt8] = []
    var inputStart = 0
    /// How far the request at `inputStart` was already parsed (reset when a request is consumed).
    var progress = ParseProgress()
    /// Bytes to send; sent from `outputStart`.
    var output: [UInt8] = []
    var outputStart = 0
    /// When the current, incomplete request's first byte arrived (monotonic ns), 0 if none pending.
    var requestStartedAt: UInt64 = 0
    /// When the connection last did anything (monotonic ns).
    var lastActivity: UInt64
    /// Close once `output` is flushed.
    var closeAfterFlush = false
    /// The epoll interest currently registered.
    var interest: UInt32 = 0

    init(fd: Int32, now: UInt64) {
        self.fd = fd
        self.lastActivity = now
        input.reserveCapacity(4096)
        output.reserveCapacity(4096)
    }

    var pendingOutput: Int { output.count - outputStart }
    var hasUnparsedInput: Bool { inputStart < input.count }

    /// Drops consumed input so the buffer does not grow; keeps capacity.
    func compactInput() {
        if inputStart == input.count {
            input.removeAll(keepingCapacity: true)
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

    /// Sends what it can. Returns false if the peer is gone.
    func flush() -> Bool {
        while outputStart < output.count {
            let sent = output.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + outputStart, raw.count - outputStart, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                outputStart += sent
                continue
            }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return true }
            return false
        }
        output.removeAll(keepingCapacity: true)
        outputStart = 0
        return true
    }
}
