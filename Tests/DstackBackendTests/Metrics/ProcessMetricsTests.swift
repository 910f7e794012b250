import Foundation
import DstackTestSupport
import Testing
@testable import DstackBackend

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ProcessMetricsTests {
    /// The families as prometheus_client reads them: name -> (type, [sample name, labels, value]).
    static func parse(_ text: String) throws -> [String: [String: Any]] {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                out[family.name] = {"type": family.type, "samples": [[s.name, s.labels, s.value] for s in family.samples]}
            print(json.dumps(out))
            """
        let parsed = try runPython(script, stdin: Data(text.utf8))
        return try #require(try JSONSerialization.jsonObject(with: Data(parsed.utf8)) as? [String: [String: Any]])
    }

    static func value(_ families: [String: [String: Any]], _ family: String, _ sample: String) -> Double? {
        let samples = families[family]?["samples"] as? [[Any]] ?? []
        return samples.first { ($0[0] as? String) == sample }.flatMap { $0[2] as? Double }
    }

    @Test func infoCarriesPubkeyNodeTypeAndVersionOnceTheIdentityIsKnown() throws {
        let metrics = DaemonMetrics(startTime: 1_700_000_000)
        #expect(try Self.parse(metrics.render())["dstack_backend_info"] == nil)
        let pubkey = String(repeating: "ab", count: 32)
        metrics.setIdentity(pubkey: pubkey, nodeType: "node-H200x8")
        let families = try Self.parse(metrics.render())
        let info = try #require(families["dstack_backend_info"])
        #expect(info["type"] as? String == "gauge")
        let samples = try #require(info["samples"] as? [[Any]])
        #expect(samples.count == 1)
        #expect(samples.first?[1] as? [String: String] == ["pubkey": pubkey, "node_type": "node-H200x8", "version": BuildInfo.version])
        #expect(samples.first?[2] as? Double == 1)
    }

    @Test func processFamiliesDescribeThisProcess() throws {
        let metrics = DaemonMetrics()
        let before = Date().timeIntervalSince1970
        let families = try Self.parse(metrics.render())
        // prometheus_client strips _total from a counter family's name.
        #expect(families["process_cpu_seconds"]?["type"] as? String == "counter")
        for name in ["process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds"] {
            #expect(families[name]?["type"] as? String == "gauge", "missing or mistyped \(name)")
        }
        let cpu = try #require(Self.value(families, "process_cpu_seconds", "process_cpu_seconds_total"))
        #expect(cpu > 0)
        let rss = try #require(Self.value(families, "process_resident_memory_bytes", "process_resident_memory_bytes"))
        #expect(rss > 1_048_576)
        let virtualBytes = try #require(Self.value(families, "process_virtual_memory_bytes", "process_virtual_memory_bytes"))
        #expect(virtualBytes >= rss)
        var limit = rlimit()
        #expect(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        #expect(Self.value(families, "process_max_fds", "process_max_fds") == Double(limit.rlim_cur))
        let started = try #require(Self.value(families, "process_start_time_seconds", "process_start_time_seconds"))
        #expect(started <= before + 1)
        #expect(started > before - 86_400 * 7, "start time \(started) is far before now \(before)")
    }

    @Test func openDescriptorCountFollowsDescriptorsOpenedAndClosed() throws {
        let base = try #require(ProcessMetrics.openDescriptorCount())
        var opened: [Int32] = []
        for _ in 0..<5 {
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            #expect(fd >= 0)
            opened.append(fd)
        }
        // Other tests run in parallel and open descriptors of their own: compare with what we hold.
        let during = try #require(ProcessMetrics.openDescriptorCount())
        for fd in opened { close(fd) }
        #expect(during >= 5)
        #expect(base >= 3, "stdin, stdout and stderr at least, got \(base)")
    }

    @Test func statParsingCountsFieldsAfterTheLastParenthesis() throws {
        // A command name with spaces and a ')' must not shift the fields.
        let line = "4242 (odd ) name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 3 0 123456 104857600 2560 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        let stat = try #require(ProcSelfStat(parsing: line))
        #expect(stat == ProcSelfStat(userTicks: 250, systemTicks: 75, startTicks: 123456, virtualBytes: 104_857_600, residentPages: 2560))
        #expect(ProcSelfStat(parsing: "4242 (truncated) S 1 2 3") == nil)
        #expect(ProcSelfStat(parsing: "no parenthesis") == nil)
    }

    @Test func bootTimeIsTheBtimeLine() {
        #expect(ProcessMetrics.parseBootTime("cpu  1 2 3\nintr 5\nbtime 1763880000\nprocesses 9\n") == 1_763_880_000)
        #expect(ProcessMetrics.parseBootTime("cpu  1 2 3\n") == nil)
    }

    @Test func unknownValuesAreLeftOutNotReportedAsZero() {
        var values = ProcessMetrics()
        values.openFDs = 7
        var out = PrometheusText()
        values.write(to: &out)
        #expect(out.text == "# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds 7\n")
    }
}
