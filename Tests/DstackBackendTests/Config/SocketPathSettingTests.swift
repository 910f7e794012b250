import Testing
@testable import DstackBackend

/// LISTEN_ADDR and DSTACK_URL refuse a Unix socket path that does not fit `sockaddr_un`, with one message.
@Suite struct SocketPathSettingTests {
    static let fits = "/run/" + String(repeating: "s", count: 102)
    static let tooLong = "/run/" + String(repeating: "s", count: 103)

    @Test func listenAddressTakesPathsUpTo107Bytes() throws {
        #expect(try ListenAddress.parse("unix:" + Self.fits) == .unix(path: Self.fits))
        #expect(throws: InvalidValue.self) { try ListenAddress.parse("unix:" + Self.tooLong) }
        #expect(
            ConfigurationTests.errorLines(["LISTEN_ADDR": "unix:" + Self.tooLong])
                == ["Error: LISTEN_ADDR \"unix:\(Self.tooLong)\": a Unix socket path must be shorter than 108 bytes"])
    }

    @Test func dstackURLTakesPathsUpTo107Bytes() throws {
        #expect(try DstackEndpoint.parse("unix://" + Self.fits) == .unixSocket(path: Self.fits))
        #expect(throws: InvalidValue.self) { try DstackEndpoint.parse("unix://" + Self.tooLong) }
        #expect(
            ConfigurationTests.errorLines(["DSTACK_URL": "unix://" + Self.tooLong])
                == ["Error: DSTACK_URL \"unix://\(Self.tooLong)\": a Unix socket path must be shorter than 108 bytes"])
    }
}
