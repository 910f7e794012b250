import Foundation
import Testing
import DstackCore
@testable import DstackHTTP
import DstackTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Bind before register: the address is ours at once, connections wait for `listen()`, and a Unix socket
/// of a running instance is never taken over.
@Suite struct BoundListenerTests {
    static let get = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"

    /// Serves on `listener` until the returned stop fires.
    func serve(_ listener: BoundListener) throws -> (StopSignal, BackgroundThread) {
        let health = PreparedResponse(status: 200, contentType: "application/json", text: "{}")
        let server = try HTTPServer(listener: listener, handler: StubHandler(health: { health }), logger: .silent)
        let stop = StopSignal()
        return (stop, BackgroundThread(name: "bound-test") { server.run(until: stop) })
    }

    @Test func aBoundPortRefusesConnectionsUntilItListens() throws {
        let listener = try BoundListener.bind(.inet(host: "127.0.0.1", port: 0))
        let port = try #require(listener.boundPort)
        #expect(throws: SystemTestError.self) { _ = try RawClient(port: port) }
        let (stop, thread) = try serve(listener)
        defer { stop.stop(); thread.join() }
        let client = try RawClient(port: port)
        client.send(Self.get)
        #expect(client.readResponses(1).first?.status == 200)
    }

    @Test func aPortInUseFailsAtBind() throws {
        let taken = try BoundListener.bind(.inet(host: "127.0.0.1", port: 0))
        try taken.listen()
        let port = try #require(taken.boundPort)
        let error = #expect(throws: ListenError.self) { _ = try BoundListener.bind(.inet(host: "127.0.0.1", port: port)) }
        #expect(error?.description.contains("cannot listen on 127.0.0.1:\(port)") == true)
        #expect(error?.description.contains("another process uses this port") == true)
    }

    @Test func anUnresolvableHostFailsAtBind() {
        let error = #expect(throws: ListenError.self) { _ = try BoundListener.bind(.inet(host: "no-such-host.invalid", port: 8080)) }
        #expect(error?.reason.contains("cannot resolve no-such-host.invalid") == true)
    }

    @Test func aListeningUnixSocketOfAnotherInstanceIsRefusedAndKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/backend.sock"
        let first = try BoundListener.bind(.unix(path: path))
        let (stop, thread) = try serve(first)
        defer { stop.stop(); thread.join() }
        let error = #expect(throws: ListenError.self) { _ = try BoundListener.bind(.unix(path: path)) }
        #expect(error?.reason.contains("belongs to a running process (it accepts connections); refusing to take it over") == true)
        let client = try RawClient(unixPath: path)
        client.send(Self.get)
        #expect(client.readResponses(1).first?.status == 200)
    }

    /// Another instance still registering has bound its socket but does not listen yet: still refused.
    @Test func aBoundButNotListeningUnixSocketIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/backend.sock"
        let first = try BoundListener.bind(.unix(path: path))
        let error = #expect(throws: ListenError.self) { _ = try BoundListener.bind(.unix(path: path)) }
        #expect(error?.reason.contains("a socket is bound to it") == true)
        first.close()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// A socket file left by a process that died is replaced.
    @Test func aStaleSocketFileIsTakenOver() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/backend.sock"
        bindAndAbandon(path)
        #expect(FileManager.default.fileExists(atPath: path))
        let listener = try BoundListener.bind(.unix(path: path))
        let (stop, thread) = try serve(listener)
        let client = try RawClient(unixPath: path)
        client.send(Self.get)
        #expect(client.readResponses(1).first?.status == 200)
        stop.stop()
        thread.join()
    }

    /// At exit we remove our socket file, never one that replaced it.
    @Test func onlyOurOwnSocketFileIsRemovedAtClose() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/backend.sock"
        let ours = try BoundListener.bind(.unix(path: path))
        unlink(path)
        bindAndAbandon(path)
        let theirs = try #require(SocketFileIdentity(path: path))
        ours.close()
        #expect(SocketFileIdentity(path: path) == theirs)
    }

    /// Binds a Unix socket at `path` and closes it without unlinking, as a killed process leaves it.
    func bindAndAbandon(_ path: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        _ = UnixSocketAddress(path: path)!.withSockaddr { bind(fd, $0, $1) }
        close(fd)
    }
}

extension BoundListenerTests {
    /// Two binds of one TCP port while neither listens both succeed (SO_REUSEADDR); the second `listen` says why it fails.
    @Test func theSecondToListenOnATCPPortSaysAnotherProcessListens() throws {
        let first = try BoundListener.bind(.inet(host: "127.0.0.1", port: 0))
        let port = try #require(first.boundPort)
        let second = try BoundListener.bind(.inet(host: "127.0.0.1", port: port))
        try first.listen()
        let error = #expect(throws: ListenError.self) { try second.listen() }
        #expect(error?.reason.contains("another process started listening on it meanwhile") == true)
    }
}

extension BoundListenerTests {
    /// A path that does not fit `sockaddr_un` fails at bind with the reason, before any socket is made.
    @Test func aUnixSocketPathTooLongForSockaddrUnFailsAtBind() {
        let path = "/tmp/" + String(repeating: "s", count: 103)
        let error = #expect(throws: ListenError.self) { _ = try BoundListener.bind(.unix(path: path)) }
        #expect(error?.description == "cannot listen on unix:\(path): a Unix socket path must be shorter than 108 bytes")
    }
}
