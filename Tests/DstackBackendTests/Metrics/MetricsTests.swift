import Foundation
import DstackTestSupport
import Testing
@testable import DstackBackend
@testable import DstackHTTP

@Suite struct MetricsTests {
    static let families = [
        "dstack_backend_build_info", "dstack_backend_start_time_seconds", "dstack_backend_dstack_up",
        "dstack_backend_dstack_poll", "dstack_backend_dstack_poll_duration_seconds",
        "dstack_backend_dstack_last_success_timestamp_seconds", "dstack_backend_gpus", "dstack_backend_registry_authorized",
        "dstack_backend_registration_attempts", "dstack_backend_http_requests", "dstack_backend_http_connections",
        "dstack_backend_http_rejected", "dstack_backend_http_idle_evictions",
    ]

    @Test func rendersEverySeriesAndParsesWithTheReferenceParser() throws {
        let metrics = DaemonMetrics(startTime: 1_700_000_000)
        metrics.recordPoll(succeeded: true, duration: .milliseconds(4), free: 6, busy: 2)
        metrics.recordPoll(succeeded: true, duration: .milliseconds(20), free: 5, busy: 3)
        metrics.recordPoll(succeeded: false, duration: .seconds(3), free: 0, busy: 0)
        metrics.recordRegistrationAttempt("retryable_error")
        metrics.recordRegistrationAttempt("ok")
        metrics.registryAuthorized.set(1)
        let server = try HTTPServer(
            address: .inet(host: "127.0.0.1", port: 0),
            handler: BackendRoutes(health: { PreparedResponse(status: 200, contentType: "application/json", text: "{}") }),
            logger: .silent)
        metrics.attachServer(server.stats)
        server.stats.countRequest(0, status: 200)  // "/health"
        server.stats.countRejection(.headerTooLarge)
        server.stats.idleEvictions.increment(by: 3)

        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                out[family.name] = {"type": family.type, "samples": [[s.name, s.labels, s.value] for s in family.samples]}
            print(json.dumps(out))
            """
        let parsed = try runPython(script, stdin: Data(metrics.render().utf8))
        let families = try #require(try JSONSerialization.jsonObject(with: Data(parsed.utf8)) as? [String: [String: Any]])
        for name in Self.families {
            #expect(families[name] != nil, "missing family \(name)")
        }
        func value(_ family: String, _ sample: String, _ labels: [String: String] = [:]) -> Double? {
            let samples = families[family]?["samples"] as? [[Any]] ?? []
            return samples.first { ($0[0] as? String) == sample && ($0[1] as? [String: String]) == labels }.flatMap { $0[2] as? Double }
        }
        #expect(value("dstack_backend_dstack_poll", "dstack_backend_dstack_poll_total", ["result": "ok"]) == 2)
        #expect(value("dstack_backend_dstack_poll", "dstack_backend_dstack_poll_total", ["result": "error"]) == 1)
        #expect(value("dstack_backend_dstack_up", "dstack_backend_dstack_up") == 0)
        #expect(value("dstack_backend_gpus", "dstack_backend_gpus", ["state": "free"]) == 5)
        #expect(value("dstack_backend_gpus", "dstack_backend_gpus", ["state": "busy"]) == 3)
        #expect(value("dstack_backend_dstack_poll_duration_seconds", "dstack_backend_dstack_poll_duration_seconds_bucket", ["le": "0.005"]) == 1)
        #expect(value("dstack_backend_dstack_poll_duration_seconds", "dstack_backend_dstack_poll_duration_seconds_bucket", ["le": "0.025"]) == 2)
        #expect(value("dstack_backend_dstack_poll_duration_seconds", "dstack_backend_dstack_poll_duration_seconds_bucket", ["le": "+Inf"]) == 3)
        #expect(value("dstack_backend_dstack_poll_duration_seconds", "dstack_backend_dstack_poll_duration_seconds_count") == 3)
        #expect(value("dstack_backend_registration_attempts", "dstack_backend_registration_attempts_total", ["result": "retryable_error"]) == 1)
        #expect(value("dstack_backend_http_requests", "dstack_backend_http_requests_total", ["path": "/health", "code": "200"]) == 1)
        #expect(value("dstack_backend_http_rejected", "dstack_backend_http_rejected_total", ["reason": "431"]) == 1)
        #expect(value("dstack_backend_http_rejected", "dstack_backend_http_rejected_total", ["reason": "over_cap"]) == 0)
        #expect(value("dstack_backend_http_idle_evictions", "dstack_backend_http_idle_evictions_total") == 3)
        #expect(value("dstack_backend_start_time_seconds", "dstack_backend_start_time_seconds") == 1_700_000_000)
        #expect(value("dstack_backend_build_info", "dstack_backend_build_info", ["version": BuildInfo.version]) == 1)
    }

    @Test func escapesLabelValues() {
        var text = PrometheusText()
        text.sample("x", [("l", "a\"b\\c\nd")], 1)
        #expect(text.text == "x{l=\"a\\\"b\\\\c\\nd\"} 1\n")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(2.5) == "2.5")
    }
}
