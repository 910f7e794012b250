import Testing
@testable import DstackBackend

/// `dstack-backend healthcheck`'s decision: liveness by default, availability with --require-available.
@Suite struct HealthcheckVerdictTests {
    static let pubkey = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"
    static let url = "http://127.0.0.1:8080/health"

    static func body(_ outcome: PollOutcome) -> [UInt8] {
        BackendInfo.response(pubkey: pubkey, ipAddress: nil, outcome: outcome).body
    }
    static let available = body(.available(GPUList(gpus: [], allowAttachAll: true)))
    static let unavailable = body(.unavailable(reason: "connection refused"))

    @Test func availableIsHealthy() {
        let verdict = HealthcheckVerdict.judge(url: Self.url, status: 200, body: Self.available, requireAvailable: false)
        #expect(verdict.isHealthy)
        #expect(verdict.message.contains(Self.pubkey))
    }

    /// A registered node whose VMM is down is alive: dephy-worker must start and report it Unavailable.
    @Test func unavailableWith503IsHealthyByDefault() {
        let verdict = HealthcheckVerdict.judge(url: Self.url, status: 503, body: Self.unavailable, requireAvailable: false)
        #expect(verdict.isHealthy, "\(verdict)")
        #expect(verdict.message == "healthy: \(Self.url) answered 503 Unavailable for pubkey \(Self.pubkey)")
    }

    @Test func requireAvailableKeepsTheStrictMeaning() {
        #expect(!HealthcheckVerdict.judge(url: Self.url, status: 503, body: Self.unavailable, requireAvailable: true).isHealthy)
        #expect(HealthcheckVerdict.judge(url: Self.url, status: 200, body: Self.available, requireAvailable: true).isHealthy)
        // Strict mode checks the status only, so it also probes URLs that are not /health (the demo simulator).
        #expect(HealthcheckVerdict.judge(url: Self.url, status: 200, body: Array("{}".utf8), requireAvailable: true).isHealthy)
    }

    @Test(arguments: [500, 502, 404, 401, 204, 301])
    func otherStatusesAreUnhealthy(status: Int) {
        let verdict = HealthcheckVerdict.judge(url: Self.url, status: status, body: Self.unavailable, requireAvailable: false)
        #expect(!verdict.isHealthy)
        #expect(verdict.message.contains("answered \(status)"))
    }

    /// Another server on the port (a proxy's error page, the VMM's JSON) is not a live backend.
    @Test(arguments: [
        "<html>502 Bad Gateway</html>",
        #"{"gpus":[],"allow_attach_all":true}"#,
        #"{"version":"1.0.0","topic":"dstack-gpu-monitor","pubkeys":[],"status":"Available","metadata":"{}","ip_address":null}"#,
        #"{"version":"1.0.0","topic":"dstack-gpu-monitor","pubkeys":["xyz"],"status":"Available","metadata":"{}","ip_address":null}"#,
        #"{"version":"1.0.0","topic":"dstack-gpu-monitor","pubkeys":["7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"],"status":"available","metadata":"{}","ip_address":null}"#,
        #"{"version":"1.0.0","topic":"dstack-gpu-monitor","pubkeys":["7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"],"status":"Available","metadata":{},"ip_address":null}"#,
        #"{"version":"1.0.0","topic":"other","pubkeys":["7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"],"status":"Available","metadata":"{}","ip_address":null}"#,
        "",
    ])
    func aBodyThatIsNotBackendInfoIsUnhealthy(body: String) {
        let verdict = HealthcheckVerdict.judge(url: Self.url, status: 200, body: Array(body.utf8), requireAvailable: false)
        #expect(!verdict.isHealthy)
        #expect(verdict.message.contains("not BackendInfo"), "\(verdict.message)")
    }

    /// The status in the body must match the HTTP status, as the backend always sends them.
    @Test func aStatusThatContradictsTheCodeIsUnhealthy() {
        #expect(!HealthcheckVerdict.judge(url: Self.url, status: 200, body: Self.unavailable, requireAvailable: false).isHealthy)
        #expect(!HealthcheckVerdict.judge(url: Self.url, status: 503, body: Self.available, requireAvailable: false).isHealthy)
    }
}
