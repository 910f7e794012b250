import Testing
@testable import DstackBackend

/// `healthcheck` without `--url`: `/health` where `LISTEN_ADDR` says the daemon listens.
@Suite struct HealthcheckTargetTests {
    func target(_ listen: String) throws -> HealthcheckTarget {
        HealthcheckTarget(listenAddress: try ListenAddress.parse(listen))
    }

    @Test func wildcardsBecomeLoopbackAndSpecificAddressesStay() throws {
        #expect(try target("0.0.0.0:9090") == HealthcheckTarget(url: "http://127.0.0.1:9090/health"))
        #expect(try target("[::]:8080") == HealthcheckTarget(url: "http://[::1]:8080/health"))
        #expect(try target("[0:0::0]:8080") == HealthcheckTarget(url: "http://[::1]:8080/health"))
        #expect(try target("127.0.0.1:8080") == HealthcheckTarget(url: "http://127.0.0.1:8080/health"))
        #expect(try target("10.1.2.3:8080") == HealthcheckTarget(url: "http://10.1.2.3:8080/health"))
        #expect(try target("[::1]:81") == HealthcheckTarget(url: "http://[::1]:81/health"))
        #expect(try target("[fe80::1]:81") == HealthcheckTarget(url: "http://[fe80::1]:81/health"))
        #expect(try target("localhost:8080") == HealthcheckTarget(url: "http://localhost:8080/health"))
    }

    @Test func aUnixListenerIsAskedThroughItsSocket() throws {
        let unix = try target("unix:/run/dstack-backend/health.sock")
        #expect(unix == HealthcheckTarget(url: "http://localhost/health", unixSocketPath: "/run/dstack-backend/health.sock"))
        #expect(unix.description == "http://localhost/health via unix:/run/dstack-backend/health.sock")
    }
}
