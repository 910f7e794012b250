import CLinux
import DstackCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on one epoll event-loop thread: non-blocking sockets, no thread per connection.
///
/// Bounded everywhere (`ServerLimits`): head and body sizes, header count, idle and slow requests, open
/// connections, and bytes buffered for a peer that does not read. Answers come from the handler as
/// `PreparedResponse`s and are copied into a per-connection buffer with the cached `Date` line, so a
/// request for ready bytes allocates nothing.
///
/// `init` binds and listens; `run(until:)` serves on the calling thread until the stop signal, then stops
/// accepting, flushes in-flight responses for up to `shutdownGrace` and closes everything.
/// Thread-safety: after `init`, only `run` touches the loop state; `stats` and `boundPort` are safe anywhere.
public final class HTTPServer: @unchecked Sendable {
    let address: ListenAddress
    let limits: ServerLimits
    public let stats: ServerStats
    /// The TCP port bound (useful with port 0), nil for a Unix socket.
    public let boundPort: UInt16?
    private let handler: any HTTPHandler
    private let logger: Logger
    /// -1 once `run` closed it at shutdown.
    private var listenFD: Int32
    /// Owns `listenFD` and, for a Unix socket, the socket file.
    private let listener: BoundListener
    private let epollFD: Int32
    private let wakeFD: Int32
    /// Shares `wakeFD` with the stop callback, which may outlive the server: closed under its lock.
    private let waker: LoopWaker

    // Loop state (event-loop thread only).
    private var connections: [Connection?] = []
    private var openCount = 0
    private var dateCache = DateCache()
    private var acceptPausedUntil: ContinuousClock.Instant?
    private var loggedDescriptorExhaustion = false
    private var readBuffer = [UInt8](repeating: 0, count: 65536)
    /// Connections with whole requests left after their turn, served on the next iteration without new bytes.
    private var readyList: [Connection] = []
    private var readyBatch: [Connection] = []
    /// Loop iterations, so a connection gets at most one turn per iteration.
    private var iteration: UInt64 = 0
    /// epoll_wait returns, counted so a test can tell an idle loop from a spinning one.
    let loopWakeups = Counter()
    /// Idle connections found by the last scan at the cap, with their `lastActivity` then; the longest idle
    /// last, so evictions `popLast` it (see `longestIdleConnection`).
    private var evictionCandidates: [(connection: Connection, idleSince: ContinuousClock.Instant)] = []
    /// After a scan at the cap found nothing to evict, none is made again before this.
    private var nextEvictionScan: ContinuousClock.Instant?
    /// How long a scan that found no idle connection holds: a crowd of busy connections costs one pass over
    /// the table per interval, not one per refused client.
    static let evictionScanInterval: Duration = .milliseconds(10)
    /// Candidates whose kernel queues one new client may have asked about (two ioctls each): a crowd of
    /// connections that look idle but hold answers in the kernel costs each new client this much, not a
    /// pass over all of them.
    static let evictionKernelChecksPerAccept = 16

    /// A connection's turn ends after this many answers, so every ready connection gets one in each
    /// iteration of the loop (a pipelining client cannot starve `/health`)...
    static let requestsPerTurn = 32
    /// ... or after this many bytes of answers, whichever comes first.
    static let answerBytesPerTurn = 32768

    private static let requestTimeout = PreparedResponse.jsonError(status: 408, message: "request timeout")

    public convenience init(address: ListenAddress, limits: ServerLimits = ServerLimits(), handler: any HTTPHandler, logger: Logger) throws {
        try self.init(listener: ListeningSocket.open(address), limits: limits, handler: handler, logger: logger)
    }

    /// Serves on a socket bound earlier (`BoundListener.bind`), which this starts listening on.
    public init(listener: BoundListener, limits: ServerLimits = ServerLimits(), handler: any HTTPHandler, logger: Logger) throws {
        try listener.listen()
        self.listener = listener
        self.address = listener.address
        self.limits = limits
        self.handler = handler
        stats = ServerStats(routes: handler.routes)
        self.logger = logger
        listenFD = listener.fd
        boundPort = listener.boundPort
        epollFD = epoll_create1(CLINUX_EPOLL_CLOEXEC)
        wakeFD = eventfd(0, CLINUX_EFD_NONBLOCK | CLINUX_EFD_CLOEXEC)
        waker = LoopWaker(fd: wakeFD)
        guard epollFD >= 0, wakeFD >= 0,
            clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, listenFD, CLINUX_EPOLLIN) == 0,
            clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, CLINUX_EPOLLIN) == 0
        else {
            // Every stored property is set, so deinit runs and closes what was opened.
            throw SystemError(call: "epoll", errno: errno)
        }
    }

    deinit {
        listener.close()
        if epollFD >= 0 { close(epollFD) }
        waker.close()
    }

    /// The address as logged: with the real port when port 0 was asked for.
    var boundDescription: String {
        if case .inet(let host, _) = address, let boundPort {
            return ListenAddress.inet(host: host, port: boundPort).description
        }
        return address.description
    }

    /// Serves until `stop` fires; logs `<listeningMessage> <address>` first (the contract's line by default).
    public func run(until stop: StopSignal, listeningMessage: String = "Backend listening on") {
        let waker = waker
        stop.onStop { waker.wake() }
        logger.info("\(listeningMessage) \(boundDescription)")
        var readyFDs = [Int32](repeating: 0, count: 256)
        var readyEvents = [UInt32](repeating: 0, count: 256)
        let tick = Int32(max(10, min(1000, min(limits.idleTimeout, limits.requestTimeout).roundedMilliseconds / 4)))
        var lastSweep = ContinuousClock.now

        while !stop.isStopped {
            // While accepts are paused (out of descriptors), wake in time to resume them after ~100 ms;
            // with connections waiting for a turn, only look for new events.
            let timeout = !readyList.isEmpty ? 0 : acceptPausedUntil != nil ? min(tick, 100) : tick
            iteration &+= 1
            swap(&readyList, &readyBatch)
            let count: Int32
            do {
                count = try retryingEINTR("epoll_wait") {
                    clinux_epoll_wait(epollFD, &readyFDs, &readyEvents, 256, timeout)
                }
            } catch {
                logger.error("epoll_wait failed; stopping the server", ("reason", error.reason))
                break
            }
            loopWakeups.increment()
            let now = ContinuousClock.now
            dateCache.refresh()
            if let pausedUntil = acceptPausedUntil, pausedUntil <= now {
                acceptPausedUntil = nil
                if clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, listenFD, CLINUX_EPOLLIN) != 0 {
                    logger.error(
                        "Cannot watch the listening socket again; stopping the server",
                        ("reason", SystemError(call: "epoll_ctl", errno: errno).reason))
                    break
                }
                acceptAll(now: now)
            }
            for index in 0..<Int(count) {
                let fd = readyFDs[index]
                let events = readyEvents[index]
                if fd == listenFD {
                    acceptAll(now: now)
                } else if fd == wakeFD {
                    // Drain it, so the shutdown's waits do not return at once.
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                } else if let connection = connection(for: fd) {
                    service(connection, events: events, now: now)
                }
            }
            serveReadyBatch(now: now)
            if lastSweep.duration(to: now) >= .milliseconds(tick) {
                lastSweep = now
                sweep(now: now)
            }
        }
        shutDown()
    }

    // MARK: accepting

    private func acceptAll(now: ContinuousClock.Instant) {
        if let pausedUntil = acceptPausedUntil, pausedUntil > now { return }
        while true {
            let fd: Int32
            do {
                guard case .processed(let accepted) = try syscall(nonBlocking: true, where: "accept", { clinux_accept_nonblocking(listenFD) })
                else { return }
                fd = accepted
            } catch {
                switch error.errno {
                case ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: stop accepting for a moment instead of spinning on the listener.
                    if !loggedDescriptorExhaustion {
                        loggedDescriptorExhaustion = true
                        logger.warn("Out of file descriptors; pausing accepts", ("reason", error.reason))
                    }
                    acceptPausedUntil = now + .milliseconds(100)
                    _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, 0)
                    return
                default:
                    logger.warn("accept failed", ("reason", error.reason))
                    return
                }
            }
            if openCount >= limits.maxConnections {
                // At the cap, an idle keep-alive connection makes room (as nginx reuses its idle connections
                // when out of worker connections), so a crowd of idle clients cannot lock /health out.
                guard let idle = longestIdleConnection(now: now) else {
                    stats.countRejection(.overCap)
                    close(fd)
                    continue
                }
                stats.idleEvictions.increment()
                closeConnection(idle)
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let connection = Connection(fd: fd, now: now)
            guard clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, CLINUX_EPOLLIN) == 0 else {
                close(fd)
                continue
            }
            connection.interest = CLINUX_EPOLLIN
            if Int(fd) >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: Int(fd) - connections.count + 64))
            }
            connections[Int(fd)] = connection
            openCount += 1
            stats.openConnections.set(Double(openCount))
        }
    }

    private func connection(for fd: Int32) -> Connection? {
        Int(fd) < connections.count ? connections[Int(fd)] : nil
    }

    /// The open connection idle the longest with nothing in progress (`Connection.isIdle`, and nothing
    /// queued in the kernel either), to close at the cap; nil if there is none, then the new client is refused.
    ///
    /// Nothing on the request path keeps an order: one pass at the cap sorts the connections idle then by
    /// `lastActivity`, and the evictions after it take from that list, skipping a connection that was closed
    /// or active since (it is no longer among the longest idle: any it would be compared with was idle before
    /// the pass too) or is not idle now. So a crowd costs one pass and one sort per refill, amortised
    /// O(log n) per eviction, and `/health` pays nothing. A pass that finds none holds for
    /// `evictionScanInterval`; one client asks the kernel about `evictionKernelChecksPerAccept` candidates
    /// at most, and the rest of the list waits for the next.
    private func longestIdleConnection(now: ContinuousClock.Instant) -> Connection? {
        var scanned = false
        var kernelChecks = 0
        while true {
            while kernelChecks < Self.evictionKernelChecksPerAccept,
                let (candidate, idleSince) = evictionCandidates.popLast()
            {
                guard connection(for: candidate.fd) === candidate, candidate.lastActivity == idleSince, candidate.isIdle
                else { continue }
                kernelChecks += 1
                if candidate.isQuietInTheKernel == true { return candidate }
            }
            if kernelChecks >= Self.evictionKernelChecksPerAccept { return nil }
            if scanned { break }
            if let next = nextEvictionScan, now < next { return nil }
            scanned = true
            for slot in connections {
                guard let connection = slot, connection.isIdle else { continue }
                evictionCandidates.append((connection, connection.lastActivity))
            }
            evictionCandidates.sort { $0.idleSince > $1.idleSince }
        }
        nextEvictionScan = now + Self.evictionScanInterval
        return nil
    }

    // MARK: serving

    private func service(_ connection: Connection, events: UInt32, now: ContinuousClock.Instant) {
        if events & (CLINUX_EPOLLERR | CLINUX_EPOLLHUP) != 0 && events & CLINUX_EPOLLIN == 0 {
            closeConnection(connection)
            return
        }
        if events & CLINUX_EPOLLOUT != 0 {
            let before = connection.bytesSent
            guard connection.flush() else {
                closeConnection(connection)
                return
            }
            if connection.bytesSent != before { connection.lastActivity = now }
            if connection.pendingOutput == 0 && connection.state == .closingAfterFlush {
                closeConnection(connection)
                return
            }
        }
        // A queued connection has whole requests to answer first: its input stays bounded by one read.
        if events & CLINUX_EPOLLIN != 0 && wantsInput(connection) && !connection.queued {
            switch readAvailable(connection) {
            case .closed:
                // The peer finished sending: answer what it sent, then close.
                connection.state = .closingAfterFlush
            case .failed:
                closeConnection(connection)
                return
            case .read(let bytes):
                if bytes > 0 { connection.lastActivity = now }
            }
        }
        takeTurn(connection, now: now)
    }

    /// One turn: answer up to the budget, send, and queue the connection if whole requests may be left.
    private func takeTurn(_ connection: Connection, now: ContinuousClock.Instant) {
        connection.lastTurn = iteration
        let end = processRequests(connection, now: now)
        guard connection.flush() else {
            closeConnection(connection)
            return
        }
        if connection.pendingOutput == 0 && connection.state == .closingAfterFlush {
            closeConnection(connection)
            return
        }
        // Whole requests may be left: queue it if the answers left, else the socket's writability brings
        // the next turn.
        connection.wantsTurn = (end == .budgetSpent || end == .outputFull) && connection.pendingOutput <= limits.maxBufferedOutputBytes
        if connection.wantsTurn { enqueue(connection) }
        updateInterest(connection)
    }

    private func enqueue(_ connection: Connection) {
        guard !connection.queued else { return }
        connection.queued = true
        readyList.append(connection)
    }

    /// Turns for the connections queued in the previous iteration (those that had one already in this
    /// iteration, from an event, wait for the next).
    private func serveReadyBatch(now: ContinuousClock.Instant) {
        guard !readyBatch.isEmpty else { return }
        for connection in readyBatch {
            connection.queued = false
            // Closed since it was queued (its descriptor may even belong to a new connection by now).
            guard let current = self.connection(for: connection.fd), current === connection else { continue }
            if connection.lastTurn == iteration {
                if connection.wantsTurn { enqueue(connection) }
                continue
            }
            takeTurn(connection, now: now)
        }
        readyBatch.removeAll(keepingCapacity: true)
    }

    private func wantsInput(_ connection: Connection) -> Bool {
        connection.pendingOutput <= limits.maxBufferedOutputBytes && connection.state == .open
    }

    private enum ReadResult { case read(Int), closed, failed }

    private func readAvailable(_ connection: Connection) -> ReadResult {
        var total = 0
        // One buffer's worth per wake-up keeps the loop fair between connections.
        while total < readBuffer.count {
            let result = try? syscall(nonBlocking: true, where: "recv") {
                readBuffer.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
            }
            switch result {
            case .processed(0): return total > 0 ? .read(total) : .closed
            case .processed(let n):
                connection.input.append(contentsOf: readBuffer[0..<n])
                total += n
                if n < readBuffer.count { return .read(total) }
            case .wouldBlock: return .read(total)
            case nil: return .failed
            }
        }
        return .read(total)
    }

    private enum TurnEnd { case needBytes, budgetSpent, outputFull, closing }

    /// Parses and answers the requests in the input, up to one turn's budget.
    private func processRequests(_ connection: Connection, now: ContinuousClock.Instant) -> TurnEnd {
        var answered = 0
        let outputAtStart = connection.output.count
        while connection.hasUnparsedInput {
            if connection.state == .closingAfterFlush { return .closing }
            if connection.pendingOutput > limits.maxBufferedOutputBytes { return .outputFull }
            if answered >= Self.requestsPerTurn || connection.output.count - outputAtStart >= Self.answerBytesPerTurn {
                return .budgetSpent
            }
            switch RequestParser.parse(
                connection.input, from: connection.inputStart, limits: limits, progress: &connection.progress)
            {
            case .incomplete:
                // A partial request: the slowloris clock runs from when it was first seen.
                if connection.requestStartedAt == nil { connection.requestStartedAt = now }
                // RFC 9110 10.1.1: a client that waits for 100 Continue before its body gets it from the head.
                if connection.progress.expectsContinue && !connection.progress.continueSent {
                    connection.progress.continueSent = true
                    connection.append(raw: "HTTP/1.1 100 Continue\r\n\r\n")
                }
                connection.compactInput()
                return .needBytes
            case .failure(let error):
                refuse(connection, with: error.response, counted: RejectionReason(error))
                return .closing
            case .request(let request, let end):
                let (response, route) = handler.respond(to: request)
                stats.countRequest(route ?? stats.otherRoute, status: response.status)
                let closing = !request.keepAlive
                let header: StaticString? = closing ? "Connection: close\r\n" : request.minorVersion == 0 ? "Connection: keep-alive\r\n" : nil
                connection.append(response, date: dateCache.bytes, connectionHeader: header, includeBody: !request.isHead)
                connection.inputStart = end
                connection.progress = ParseProgress()
                connection.requestStartedAt = nil
                answered += 1
                if closing { connection.state = .closingAfterFlush }
            }
        }
        connection.compactInput()
        return connection.state == .closingAfterFlush ? .closing : .needBytes
    }

    /// Reads only while the peer keeps up with our answers; writes only while something is pending.
    ///
    /// No EPOLLRDHUP: a peer's end of input shows as a readable 0-byte read while we read, and while we do
    /// not (its output is over the cap) a level-triggered RDHUP would wake the loop in a busy spin.
    private func updateInterest(_ connection: Connection) {
        var wanted: UInt32 = 0
        if wantsInput(connection) { wanted |= CLINUX_EPOLLIN }
        if connection.pendingOutput > 0 { wanted |= CLINUX_EPOLLOUT }
        guard wanted != connection.interest else { return }
        if clinux_epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, wanted) == 0 {
            connection.interest = wanted
        } else {
            closeConnection(connection)
        }
    }

    // MARK: timeouts and closing

    private func sweep(now: ContinuousClock.Instant) {
        let idle = limits.idleTimeout
        let request = limits.requestTimeout
        // Below the cap, drop what the last eviction pass found, so it holds no closed connection's memory.
        if openCount < limits.maxConnections && !evictionCandidates.isEmpty {
            evictionCandidates = []
        }
        for slot in connections {
            guard let connection = slot else { continue }
            if let started = connection.requestStartedAt, started.duration(to: now) > request {
                // A request that trickles in (slowloris): 408 and close.
                refuse(connection, with: Self.requestTimeout, counted: .timeout)
                connection.requestStartedAt = nil
                if !connection.flush() || connection.pendingOutput == 0 {
                    closeConnection(connection)
                } else {
                    updateInterest(connection)
                }
            } else {
                // Progress is answer bytes the peer took, however rarely the socket turned writable.
                if connection.peerTookBytes() { connection.lastActivity = now }
                guard connection.lastActivity.duration(to: now) > idle else { continue }
                if connection.pendingOutput > 0 || connection.hasUntakenBytes {
                    // A peer that took none of our answer bytes for the whole idle time.
                    stats.countRejection(.timeout)
                    closeConnection(connection)
                } else if connection.requestStartedAt == nil {
                    closeConnection(connection)
                }
            }
        }
    }

    /// Answers `response` with `Connection: close` and answers nothing more: the input is dropped, the
    /// connection closes once the answer is sent.
    private func refuse(_ connection: Connection, with response: PreparedResponse, counted reason: RejectionReason) {
        stats.countRejection(reason)
        stats.countRequest(stats.otherRoute, status: response.status)
        connection.append(response, date: dateCache.bytes, connectionHeader: "Connection: close\r\n", includeBody: true)
        connection.state = .closingAfterFlush
        connection.input = []
        connection.inputStart = 0
        connection.progress = ParseProgress()
    }

    private func closeConnection(_ connection: Connection) {
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, 0)
        close(connection.fd)
        if Int(connection.fd) < connections.count, connections[Int(connection.fd)] === connection {
            connections[Int(connection.fd)] = nil
            openCount -= 1
            stats.openConnections.set(Double(openCount))
        }
    }

    /// Stops accepting, gives every connection with answers in flight the grace to deliver them, closes all.
    ///
    /// An idle connection closes at once. Any other (answers in our buffer or still in the kernel's send
    /// queue, requests unanswered or unread) gets up to `shutdownGrace`: its input is read and dropped, its
    /// buffered answers are sent, then its sending side is shut (a FIN behind the answers); it closes when the
    /// peer has taken every byte or ended its side. Its input is drained before every close, so the kernel
    /// never resets the connection and throws away answers it still queues.
    private func shutDown() {
        // Stop accepting: close the listener, so new clients are refused instead of waiting in the backlog.
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, 0)
        listener.close()
        listenFD = -1
        var finishing: [Connection] = []
        for slot in connections {
            guard let connection = slot else { continue }
            // Nothing to send (in our buffer or the kernel's), nothing unanswered or unread: it closes at once.
            // Anything else gets the grace: closing a socket with unread input makes the kernel answer with a
            // reset and drop every answer still queued for the peer, so such a connection is never just closed.
            if connection.pendingOutput == 0 && !connection.hasUnparsedInput && connection.isQuietInTheKernel != false {
                closeConnection(connection)
            } else {
                connection.state = .draining
                finishing.append(connection)
            }
        }
        let deadline = ContinuousClock.now + limits.shutdownGrace
        var readyFDs = [Int32](repeating: 0, count: 256)
        var readyEvents = [UInt32](repeating: 0, count: 256)
        while true {
            var index = 0
            while index < finishing.count {
                if finish(finishing[index]) {
                    index += 1
                } else {
                    closeConnection(finishing[index])
                    finishing.swapAt(index, finishing.count - 1)
                    finishing.removeLast()
                }
            }
            let left = ContinuousClock.now.duration(to: deadline)
            if finishing.isEmpty || left <= .zero { break }
            // The kernel reports no event when the peer acknowledges bytes: look again every 10 ms.
            _ = clinux_epoll_wait(epollFD, &readyFDs, &readyEvents, 256, Int32(min(10, max(1, left.roundedMilliseconds))))
        }
        // The grace is over: close the rest, after a last drain so what they were sent is not reset.
        for connection in finishing {
            _ = connection.discardInput(into: &readBuffer)
            closeConnection(connection)
        }
    }

    /// One step of a draining connection's shutdown; false once it is done (or broken) and may be closed.
    private func finish(_ connection: Connection) -> Bool {
        if connection.state != .drainingInputEnded {
            switch connection.discardInput(into: &readBuffer) {
            case .failed: return false
            // The peer ended its side after ours: our input is drained, so closing resets nothing.
            case .ended where connection.state == .drainingWriteShut: return false
            case .ended: connection.state = .drainingInputEnded
            case .open: break
            }
        }
        guard connection.flush() else { return false }
        if connection.pendingOutput == 0 && connection.state != .drainingWriteShut {
            if shutdown(connection.fd, Int32(SHUT_WR)) != 0 { return false }
            // The peer ended its side: our input is drained, so closing resets nothing; the kernel still
            // delivers what is queued.
            if connection.state == .drainingInputEnded { return false }
            connection.state = .drainingWriteShut
        }
        if connection.state == .drainingWriteShut && connection.untakenInKernel == 0 { return false }
        // Wake for input (until it ends) and, while answers wait in our buffer, for room to send them.
        let wanted = (connection.state == .drainingInputEnded ? 0 : CLINUX_EPOLLIN) | (connection.pendingOutput > 0 ? CLINUX_EPOLLOUT : 0)
        if wanted != connection.interest {
            guard clinux_epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, wanted) == 0 else { return false }
            connection.interest = wanted
        }
        return true
    }
}

/// The eventfd that wakes the event loop; the stop callback holding it may run after the server is gone.
final class LoopWaker: Sendable {
    private let fd: Mutex<Int32>

    init(fd: Int32) { self.fd = Mutex(fd) }

    func wake() {
        fd.withLock { fd in
            guard fd >= 0 else { return }
            var one: UInt64 = 1
            _ = write(fd, &one, 8)
        }
    }

    func close() {
        fd.withLock { fd in
            guard fd >= 0 else { return }
            _ = Glibc.close(fd)
            fd = -1
        }
    }
}
