@testable import DstackBackend
@testable import DstackSimulator
import DstackTestSupport
import Foundation
import Testing

/// Issue 13: out of file descriptors, the daemon said "connection refused" for a healthy VMM and
/// `ip_address: null`. The poller runs in a child process (`DescriptorExhaustionProbe`) with a low
/// `RLIMIT_NOFILE` that it then uses up, so the test process's own limit is never touched.
@Suite(.serialized) struct DescriptorExhaustionTests {
    struct Step {
        let status: Int
        let info: [String: Any]
        var metadata: String { info["metadata"] as? String ?? "" }
        var ipAddress: Any? { info["ip_address"] }
    }

    /// Runs the probe against `dstackURL` with a route table whose default route is `lo` (127.0.0.1).
    func runProbe(dstackURL: String) throws -> (steps: [String: Step], log: String) {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let routes = directory.path + "/route"
        try ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
            + "lo\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n").write(toFile: routes, atomically: true, encoding: .utf8)
        let probe = URL(fileURLWithPath: BackendProcess.executablePath).deletingLastPathComponent()
            .appendingPathComponent("DescriptorExhaustionProbe").path
        let (status, output, log) = try OperatorCLITests.run([probe, dstackURL, routes, "64"], timeout: 30, executable: probe)
        #expect(status == 0, "log: \(log)")
        var steps: [String: Step] = [:]
        for line in output.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let name = object["step"] as? String, let status = object["status"] as? Int,
                let body = object["body"] as? String,
                let info = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            else { continue }
            steps[name] = Step(status: status, info: info)
        }
        return (steps, log)
    }

    @Test(arguments: [false, true])
    func outOfDescriptorsIsNeverReportedAsTheVMMRefusingOrAsNoAddress(overSocket: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let simulator = try Simulator(vmmSocketPath: overSocket ? directory.path + "/vmm.sock" : nil)
        defer { simulator.stop() }
        let (steps, log) = try runProbe(dstackURL: simulator.vmmURL)

        let before = try #require(steps["before"], "log: \(log)")
        #expect(before.status == 200)
        #expect(before.ipAddress as? String == "127.0.0.1")

        for name in ["exhausted", "exhausted-again"] {
            let exhausted = try #require(steps[name], "log: \(log)")
            #expect(exhausted.metadata.hasPrefix("Error: out of file descriptors"), "\(name): \(exhausted.metadata)")
            #expect(!exhausted.metadata.contains("connection refused"))
            #expect(!exhausted.metadata.contains("Couldn't connect"))
            #expect(exhausted.ipAddress as? String == "127.0.0.1", "\(name): the address was dropped")
        }
        #expect(log.contains("Failed to connect to dstack: out of file descriptors"))
        #expect(log.components(separatedBy: "Failed to connect to dstack:").count == 2, "logged once: \(log)")
        #expect(log.contains("Cannot look up the advertised address; keeping the last known one"))
        #expect(log.contains("out of file descriptors: open"))
        #expect(log.contains("ip_address=127.0.0.1"))

        let after = try #require(steps["after"], "log: \(log)")
        #expect(after.status == 200)
        #expect(after.ipAddress as? String == "127.0.0.1")
        #expect(log.contains("The advertised address can be looked up again"))
        #expect(log.contains("dstack is available again"))
    }
}
