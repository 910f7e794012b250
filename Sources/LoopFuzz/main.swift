import DstackBackend
import FuzzDriver

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point for the event loop: arbitrary bytes sent to a live `HTTPServer` (tiny limits, so
/// the output cap, the turn budget, refusals and 100-continue are all reached) in pieces, then the write
/// side shut. The server must answer and close within two seconds (no stall, no lost turn) and never crash.
final class LoopUnderTest: Sendable {
    let path: String
    let server: HTTPServer

    init() {
        path = "/tmp/dstack-loopfuzz-\(getpid()).sock"
        var limits = ServerLimits()
        limits.maxHeaderBytes = 256
        limits.maxHeaderCount = 8
        limits.maxBodyBytes = 64
        limits.maxBufferedOutputBytes = 512
        // Far above the client's 2 s wait: the client shuts its side after sending, so the server must
        // answer and close on its own; a timeout doing it would hide a stall.
        limits.requestTimeout = .seconds(10)
        limits.idleTimeout = .seconds(10)
        let health = PreparedResponse(status: 200, contentType: "application/json", text: #"{"status":"Available"}"#)
        let metrics = PreparedResponse(status: 200, contentType: "text/plain", text: String(repeating: "m 1\n", count: 200))
        server = try! HTTPServer(
            address: .unix(path: path), limits: limits,
            handler: BackendRoutes(health: { health }, metrics: { metrics }), logger: .silent)
        let server = server
        let stop = StopSignal()
        _ = BackgroundThread(name: "loop-fuzz") { server.run(until: stop, listeningMessage: "fuzzing") }
    }

    /// Sends `bytes` in pieces of `step`, shuts the write side, reads to the end; false if the server stalled.
    func exchange(_ bytes: [UInt8], step: Int) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket failed")
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        do {
            try retryingEINTR("connect") { UnixSocketAddress(path: path)!.withSockaddr { connect(fd, $0, $1) } }
        } catch {
            preconditionFailure("\(error)")
        }
        var sink = [UInt8](repeating: 0, count: 65536)
        var offset = 0
        // Send in pieces, reading whatever comes back, as a client that keeps up would.
        while offset < bytes.count {
            var ready = pollfd(fd: fd, events: Int16(POLLIN | POLLOUT), revents: 0)
            let count = try? retryingEINTR("poll") { poll(&ready, 1, 2000) }
            guard let count, count > 0 else { return false }  // neither readable nor writable for 2 s
            if ready.revents & Int16(POLLIN) != 0 {
                let received = try? syscall(nonBlocking: true, where: "recv") { recv(fd, &sink, sink.count, Int32(MSG_DONTWAIT)) }
                if received == .processed(0) { return true }  // the server closed (a refusal or Connection: close)
            }
            if ready.revents & Int16(POLLERR | POLLHUP) != 0 { return true }
            if ready.revents & Int16(POLLOUT) != 0 {
                let end = min(bytes.count, offset + step)
                do {
                    let sent = try syscall(nonBlocking: true, where: "send") {
                        bytes[offset..<end].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                    }
                    if case .processed(let count) = sent { offset += count }
                } catch {
                    if error.errno == EPIPE || error.errno == ECONNRESET { return true }
                }
            }
        }
        shutdown(fd, Int32(SHUT_WR))
        while true {
            do {
                switch try syscall(nonBlocking: true, where: "recv", { recv(fd, &sink, sink.count, 0) }) {
                case .processed(0): return true
                case .processed: continue
                case .wouldBlock: return false  // the receive timeout passed without the server closing
                }
            } catch {
                return error.errno == ECONNRESET
            }
        }
    }
}

nonisolated(unsafe) var loop: LoopUnderTest?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLoop(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    if loop == nil { loop = LoopUnderTest() }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let step = bytes.first.map { Int($0 % 64) * 16 + 1 } ?? 1
    precondition(loop!.exchange(bytes, step: step), "the server neither answered nor closed within 2 s")
    return 0
}

@_cdecl("LoopFuzz_main")
public func loopFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzLoop(data, size) }
}
