@testable import DstackCore
import DstackTestSupport
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A request the fake server received.
struct RecordedRequest: Sendable {
    var method: String
    /// Path with query, e.g. `/prpc/ListGpus?json`.
    var target: String
    /// Header names lower-cased.
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0 == name.lowercased() }?.1
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// What the fake does with a request.
enum FakeReply: Sendable {
    case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
    /// Accept, read the request, never answer (until the server stops).
    case hang
    /// Close the connection without answering.
    case close

    static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> FakeReply {
        .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }
}

/// A scriptable HTTP/1.1 server for tests: a real socket on 127.0.0.1 (ephemeral port) or a Unix socket,
/// a thread per connection, `Connection: close` on every answer. Deliberately separate from the product's
/// server so client tests can script misbehaviour (hangs, oversized bodies) the product never does.
final class FakeHTTPServer: @unchecked Sendable {
    private let listenFD: Int32
    let port: UInt16
    let socketPath: String?
    private let handler: @Sendable (RecordedRequest) -> FakeReply
    private let state = FakeServerState()
    private let acceptThread: Thread

    /// Starts listening on 127.0.0.1 with an ephemeral port, or on the Unix socket `unixPath`.
    init(unixPath: String? = nil, handler: @escaping @Sendable (RecordedRequest) -> FakeReply) throws {
        self.handler = handler
        self.socketPath = unixPath
        if let unixPath {
            unlink(unixPath)
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            listenFD = fd
            guard let address = UnixSocketAddress(path: unixPath) else {
                throw SystemTestError("\(unixPath): \(UnixSocketAddress.problem(with: unixPath) ?? "invalid")")
            }
            do {
                try retryingEINTR("bind \(unixPath)") { address.withSockaddr { bind(fd, $0, $1) } }
            } catch {
                throw SystemTestError("\(error)")
            }
            port = 0
        } else {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            listenFD = fd
            var reuse: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            do {
                try retryingEINTR("bind") {
                    withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                    }
                }
            } catch {
                throw SystemTestError("\(error)")
            }
            var bound = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            port = UInt16(bigEndian: bound.sin_port)
        }
        let listening = listenFD
        do {
            try retryingEINTR("listen") { listen(listening, 128) }
        } catch {
            throw SystemTestError("\(error)")
        }
        let fd = listenFD
        let sharedState = state
        acceptThread = Thread {
            FakeHTTPServer.acceptLoop(listenFD: fd, state: sharedState, handler: handler)
        }
        acceptThread.start()
    }

    deinit {
        stop()
    }

    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    var requests: [RecordedRequest] { state.lock.withLock { $0.requests } }

    func requests(to pathPrefix: String) -> [RecordedRequest] {
        requests.filter { $0.target.hasPrefix(pathPrefix) }
    }

    /// Stops accepting and closes every open connection (which ends any `.hang`).
    func stop() {
        let clients: [Int32]? = state.lock.withLock { state in
            if state.stopped { return nil }
            state.stopped = true
            let clients = state.clients
            state.clients = []
            return clients
        }
        guard let clients else { return }
        // Only shut down here: the accept thread closes the descriptor when it leaves `accept`. Closing it
        // here let a thread that had not yet reached `accept` pick up the next test's socket under the same
        // number and answer that test's requests with this server's handler.
        shutdown(listenFD, Int32(SHUT_RDWR))
        for fd in clients { shutdown(fd, Int32(SHUT_RDWR)) }
        if let socketPath { unlink(socketPath) }
    }

    private static func acceptLoop(
        listenFD: Int32, state: FakeServerState,
        handler: @escaping @Sendable (RecordedRequest) -> FakeReply
    ) {
        defer { close(listenFD) }
        while true {
            guard let client = try? retryingEINTR("accept", { accept(listenFD, nil, nil) }) else { return }
            let registered = state.lock.withLock { state -> Bool in
                if state.stopped { return false }
                state.clients.append(client)
                return true
            }
            guard registered else {
                close(client)
                return
            }
            let thread = Thread {
                serve(client: client, state: state, handler: handler)
            }
            thread.start()
        }
    }

    private static func serve(
        client: Int32, state: FakeServerState,
        handler: @Sendable (RecordedRequest) -> FakeReply
    ) {
        defer {
            state.lock.withLock { $0.clients.removeAll { $0 == client } }
            close(client)
        }
        guard let request = readRequest(client) else { return }
        state.lock.withLock { $0.requests.append(request) }
        switch handler(request) {
        case .close:
            return
        case .hang:
            var byte: UInt8 = 0
            // Blocks until the peer closes or `stop()` shuts the socket down.
            while recv(client, &byte, 1, 0) > 0 {}
        case .respond(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) Fake\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "\r\n"
            _ = sendAll(client, Array(head.utf8) + body)
        }
    }

    private static func readRequest(_ fd: Int32) -> RecordedRequest? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16384)
        var headerEnd: Int?
        while headerEnd == nil {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer += chunk[0..<n]
            if buffer.first == 0x16 {
                // A TLS ClientHello (https:// to this plain-http server): answer as plain HTTP servers do,
                // which is what makes a client's TLS layer report "wrong version number".
                _ = sendAll(fd, Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                return nil
            }
            if let range = buffer.firstRange(of: [13, 10, 13, 10]) { headerEnd = range.upperBound }
            if buffer.count > 1 << 20 { return nil }
        }
        let headText = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = Int(headers.first { $0.0 == "content-length" }?.1 ?? "0") ?? 0
        var body = Array(buffer[headerEnd!...])
        while body.count < length {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            body += chunk[0..<n]
        }
        return RecordedRequest(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }
}

/// What the connection threads share with the test.
final class FakeServerState: Sendable {
    let lock = Mutex<(requests: [RecordedRequest], stopped: Bool, clients: [Int32])>(([], false, []))
}
