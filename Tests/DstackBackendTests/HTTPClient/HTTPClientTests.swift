import CCurl
import Testing
import Foundation
@testable import DstackBackend
import DstackTestSupport

@Suite struct HTTPClientTests {
    @Test func getsBodyStatusAndHeaders() throws {
        let server = try FakeHTTPServer { _ in .json(200, #"{"ok":true}"#, headers: [("X-App-Version", "0.5.3")]) }
        defer { server.stop() }
        let response = try HTTPClient().get(server.baseURL + "/x?json")
        #expect(response.status == 200)
        #expect(response.bodyText == #"{"ok":true}"#)
        #expect(response.header("x-app-version") == "0.5.3")
        #expect(server.requests.first?.target == "/x?json")
        #expect(server.requests.first?.header("user-agent") == "dstack-backend/\(BuildInfo.version)")
    }

    @Test func postsJSONBody() throws {
        let server = try FakeHTTPServer { _ in .respond(status: 201) }
        defer { server.stop() }
        let response = try HTTPClient().perform(
            HTTPClientRequest(
                method: .post, url: server.baseURL + "/workers", headers: [("Content-Type", "application/json")],
                body: Array(#"{"a":1}"#.utf8)))
        #expect(response.status == 201)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.bodyText == #"{"a":1}"#)
        #expect(request.header("content-type") == "application/json")
    }

    @Test func refusesOversizedResponse() throws {
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 5 << 20)
        let server = try FakeHTTPServer { _ in .respond(status: 200, body: big) }
        defer { server.stop() }
        let error = #expect(throws: HTTPClientError.self) { try HTTPClient().get(server.baseURL + "/") }
        #expect(error?.kind == .responseTooLarge)
    }

    @Test func timesOutOnAPeerThatNeverAnswers() throws {
        let server = try FakeHTTPServer { _ in .hang }
        defer { server.stop() }
        let client = HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: .milliseconds(300)))
        let start = ContinuousClock.now
        let error = #expect(throws: HTTPClientError.self) { try client.get(server.baseURL + "/") }
        #expect(error?.kind == .timeout)
        #expect(start.duration(to: .now) < .seconds(3))
    }

    @Test func reportsConnectionRefused() throws {
        let server = try FakeHTTPServer { _ in .hang }
        let url = server.baseURL
        server.stop()
        let error = #expect(throws: HTTPClientError.self) { try HTTPClient().get(url + "/") }
        #expect(error?.kind == .connectionRefused)
    }

    @Test func talksOverUnixSocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/vmm.sock"
        let server = try FakeHTTPServer(unixPath: path) { _ in .json(200, "{}") }
        defer { server.stop() }
        let response = try HTTPClient().perform(
            HTTPClientRequest(url: "http://localhost/prpc/ListGpus?json", unixSocketPath: path))
        #expect(response.status == 200)
        #expect(server.requests.first?.target == "/prpc/ListGpus?json")
    }

    @Test func missingUnixSocketSaysSo() throws {
        let error = #expect(throws: HTTPClientError.self) {
            try HTTPClient().perform(HTTPClientRequest(url: "http://localhost/", unixSocketPath: "/nonexistent/vmm.sock"))
        }
        #expect(error?.kind == .connectionRefused)
        #expect(error?.description.contains("/nonexistent/vmm.sock") == true)
    }
}

@Suite struct HTTPClientCancellationTests {
    @Test func stopSignalAbandonsARequestInFlight() throws {
        let server = try FakeHTTPServer { _ in .hang }
        defer { server.stop() }
        let stop = StopSignal()
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: .seconds(5), totalTimeout: .seconds(30)), cancellation: stop)
        let stopper = Thread {
            // SIGTERM once the request has reached the server, which never answers it.
            _ = eventually { !server.requests.isEmpty }
            stop.stop(reason: .terminate)
        }
        stopper.start()
        let start = ContinuousClock.now
        let error = #expect(throws: HTTPClientError.self) { try client.get(server.baseURL + "/") }
        #expect(error?.kind == .cancelled)
        #expect(start.duration(to: .now) < .seconds(2))
    }
}

/// Over a Unix socket the messages name the socket and the request path: the `http://localhost` of the URL
/// is only the Host header, which nobody configured.
@Suite struct UnixSocketMessageTests {
    @Test func aMissingSocketNamesTheSocketAndTheRequestNotLocalhost() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/vmm.sock"
        let error = #expect(throws: HTTPClientError.self) {
            try HTTPClient().perform(HTTPClientRequest(url: "http://localhost/prpc/ListGpus?json", unixSocketPath: path))
        }
        #expect(error?.kind == .connectionRefused)
        #expect(
            error?.description
                == "connection refused (unix:\(path), request /prpc/ListGpus?json): cannot connect to Unix socket \(path) (is the file there and is something listening?): No such file or directory")
        #expect(error?.description.contains("localhost") == false)
    }

    @Test func requestPathsOfURLs() {
        #expect(HTTPClientError.requestPath(of: "http://localhost/prpc/ListGpus?json") == "/prpc/ListGpus?json")
        #expect(HTTPClientError.requestPath(of: "http://localhost") == "/")
        #expect(HTTPClientError.requestPath(of: "http://localhost?x=1") == "/?x=1")
    }

    /// EACCES from connect on a real socket file (root's, mode 0755) is a permission problem, worded with the
    /// socket's owner, group and mode read from that file, the uid it was refused to, and the fix.
    @Test func aRefusedConnectOnARootSocketIsAPermissionProblemWithOwnerModeAndFix() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/vmm.sock"
        let server = try FakeHTTPServer(unixPath: path) { _ in .json(200, "{}") }
        defer { server.stop() }
        #expect(chmod(path, 0o755) == 0)
        var info = stat()
        #expect(stat(path, &info) == 0)
        let owner = "\(UnixSocketAccess.userName(info.st_uid) ?? String(info.st_uid)):\(UnixSocketAccess.groupName(info.st_gid) ?? String(info.st_gid))"
        let daemon = UnixSocketAccess.Identity(uid: 1573, gid: 1573, groups: [1573])
        let reason = UnixSocketAccess.deniedReason(path: path, errno: EACCES, identity: daemon)
        #expect(
            reason
                == "cannot connect to Unix socket \(path): Permission denied: a permission problem, not a missing VMM: the socket is owned by \(owner) (uid \(info.st_uid), gid \(info.st_gid)), mode 0755 (srwxr-xr-x); this process runs as uid 1573, gid 1573, which may not write to it (connecting needs write permission). Fix: give the socket to the daemon's group and let the group write (`chgrp 1573 \(path) && chmod g+w \(path)`, again whenever the VMM recreates it), or run the daemon as the socket's owner (docker compose: DSTACK_BACKEND_USER=\(info.st_uid):\(info.st_gid) in .env)")

        // With group 1573 and g+w the same uid may connect, so a refusal then is not the mode's doing.
        #expect(chown(path, info.st_uid, 1573) == 0 || geteuid() != 0)
        if geteuid() == 0 {
            #expect(chmod(path, 0o775) == 0)
            #expect(UnixSocketAccess.deniedReason(path: path, errno: EACCES, identity: daemon).contains("which the mode allows to write"))
        }

        // The client turns connect's EACCES into that reason, kind permissionDenied, naming no localhost URL.
        let request = HTTPClientRequest(url: "http://localhost/prpc/ListGpus?json", unixSocketPath: path)
        let error = HTTPClient.error(
            for: CURLE_COULDNT_CONNECT, detail: "Failed to connect to localhost port 80", request: request,
            configuration: HTTPClientConfiguration(), osErrno: EACCES)
        #expect(error.kind == .permissionDenied)
        #expect(error.description.hasPrefix("permission denied (unix:\(path), request /prpc/ListGpus?json): cannot connect to Unix socket \(path): Permission denied"))
    }

    @Test func symbolicModesReadLikeLs() {
        #expect(UnixSocketAccess.symbolicMode(S_IFSOCK | 0o755) == "srwxr-xr-x")
        #expect(UnixSocketAccess.symbolicMode(S_IFSOCK | 0o660) == "srw-rw----")
    }
}
