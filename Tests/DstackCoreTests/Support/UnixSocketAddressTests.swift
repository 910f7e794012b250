@testable import DstackCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct UnixSocketAddressTests {
    @Test func pathsUpTo107BytesFit() {
        #expect(UnixSocketAddress.maxPathBytes == 107)
        let longest = "/" + String(repeating: "a", count: 106)
        #expect(UnixSocketAddress.problem(with: longest) == nil)
        #expect(UnixSocketAddress(path: longest)?.path == longest)
    }

    @Test func refusesPathsThatDoNotFitSockaddrUn() {
        let tooLong = "/" + String(repeating: "a", count: 107)
        #expect(UnixSocketAddress.problem(with: tooLong) == "a Unix socket path must be shorter than 108 bytes")
        #expect(UnixSocketAddress(path: tooLong) == nil)
        #expect(UnixSocketAddress.problem(with: "") == "the Unix socket path is empty")
        #expect(UnixSocketAddress.problem(with: "/tmp/a\u{0}b") == "a Unix socket path cannot contain a NUL byte")
    }

    @Test func bindsAndConnectsThroughTheSameAddress() throws {
        let path = "/tmp/dstack-core-test-\(getpid()).sock"
        unlink(path)
        defer { unlink(path) }
        let address = try #require(UnixSocketAddress(path: path))
        let server = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(server) }
        #expect(address.withSockaddr { bind(server, $0, $1) } == 0)
        #expect(listen(server, 1) == 0)
        let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(client) }
        #expect(address.withSockaddr { connect(client, $0, $1) } == 0)
    }
}
