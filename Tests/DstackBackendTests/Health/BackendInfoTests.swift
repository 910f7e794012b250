import Foundation
import DstackTestSupport
import Testing
@testable import DstackBackend
@testable import DstackHTTP

@Suite struct BackendInfoTests {
    static let pubkey = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"
    static let h200 = GPU(slot: "18:00.0", productID: "10de:2335", description: "NVIDIA Corporation GH100 [H200 SXM 141GB]", isFree: true)
    static let date = "Mon, 23 Nov 2026 00:00:00 GMT"

    @Test func availableResponseBytesAreExact() {
        let response = BackendInfo.response(
            pubkey: Self.pubkey, ipAddress: "192.168.1.100", outcome: .available(GPUList(gpus: [Self.h200], allowAttachAll: true)))
        let body = #"{"version":"1.0.0","topic":"dstack-gpu-monitor","pubkeys":["7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"],"status":"Available","metadata":"{\"gpu_count\":1,\"gpus\":[{\"slot\":\"18:00.0\",\"product_id\":\"10de:2335\",\"description\":\"NVIDIA Corporation GH100 [H200 SXM 141GB]\",\"is_free\":true}],\"allow_attach_all\":true}","ip_address":"192.168.1.100"}"#
        let expected = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Access-Control-Allow-Origin: *\r\nCache-Control: no-store\r\nDate: \(Self.date)\r\n\r\n" + body
        #expect(String(decoding: response.serialized(date: Self.date), as: UTF8.self) == expected)
    }

    @Test func unavailableResponseBytesAreExact() {
        let response = BackendInfo.response(pubkey: Self.pubkey, ipAddress: nil, outcome: .unavailable(reason: "connection refused"))
        let body = #"{"version":"1.0.0","topic":"dstack-gpu-monitor","pubkeys":["7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"],"status":"Unavailable","metadata":"Error: connection refused","ip_address":null}"#
        let expected = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Access-Control-Allow-Origin: *\r\nCache-Control: no-store\r\nDate: \(Self.date)\r\n\r\n" + body
        #expect(String(decoding: response.serialized(date: Self.date), as: UTF8.self) == expected)
    }

    static let awkward = "Quote\" back\\slash\nnew\rret\ttab\u{01}ctl\u{7f}del é 日本 😀 </script>"

    @Test func awkwardDescriptionsRoundTripThroughAJSONParser() throws {
        let gpu = GPU(slot: "00:01.0", productID: "10de:ffff", description: Self.awkward, isFree: false)
        let body = BackendInfo.body(pubkey: Self.pubkey, ipAddress: nil, available: GPUList(gpus: [gpu], allowAttachAll: false), reason: "")
        let info = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let metadata = try #require(info["metadata"] as? String)
        let inner = try #require(try JSONSerialization.jsonObject(with: Data(metadata.utf8)) as? [String: Any])
        let gpus = try #require(inner["gpus"] as? [[String: Any]])
        #expect(gpus.first?["description"] as? String == Self.awkward)
        #expect(inner["gpu_count"] as? Int == 1)
        #expect(info["ip_address"] is NSNull)
    }

    /// The contract's BackendInfo through Python's json.dumps(..., separators=(",", ":")): the same bytes.
    @Test func bodyIsByteIdenticalToPythonJSONDumps() throws {
        let gpus = [Self.h200, GPU(slot: "2a:00.0", productID: "10de:2335", description: Self.awkward, isFree: false)]
        for (available, ip) in [(true, "192.168.1.100"), (false, nil)] as [(Bool, String?)] {
            let list = GPUList(gpus: gpus, allowAttachAll: true)
            let ours = BackendInfo.body(pubkey: Self.pubkey, ipAddress: ip, available: available ? list : nil, reason: "timed out: \(Self.awkward)")
            let input: [String: Any] = [
                "available": available, "ip": ip as Any, "reason": "timed out: \(Self.awkward)",
                "gpus": gpus.map { ["slot": $0.slot, "product_id": $0.productID, "description": $0.description, "is_free": $0.isFree] },
            ]
            let script = """
                import json, sys
                d = json.load(sys.stdin)
                sep = (",", ":")
                meta = json.dumps({"gpu_count": len(d["gpus"]), "gpus": [{"slot": g["slot"], "product_id": g["product_id"], "description": g["description"], "is_free": g["is_free"]} for g in d["gpus"]], "allow_attach_all": True}, separators=sep) if d["available"] else "Error: " + d["reason"]
                info = {"version": "1.0.0", "topic": "dstack-gpu-monitor", "pubkeys": ["\(Self.pubkey)"], "status": "Available" if d["available"] else "Unavailable", "metadata": meta, "ip_address": d["ip"]}
                sys.stdout.write(json.dumps(info, separators=sep))
                """
            let python = try runPython(script, stdin: try JSONSerialization.data(withJSONObject: input))
            #expect(String(decoding: ours, as: UTF8.self) == python)
        }
    }

    @Test func bodyHasEveryFieldTheOpenAPIDescriptionRequires() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let script = """
            import json, sys, yaml
            spec = yaml.safe_load(open(sys.argv[1]))
            print(json.dumps(spec["components"]["schemas"]["BackendInfo"]["required"]))
            """
        let output = try runPython(script, arguments: [root.appendingPathComponent("docs/openapi.yaml").path])
        let required = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String])
        #expect(required.count == 6)
        for outcome in [PollOutcome.available(GPUList(gpus: [Self.h200], allowAttachAll: true)), .unavailable(reason: "x")] {
            let body = BackendInfo.response(pubkey: Self.pubkey, ipAddress: nil, outcome: outcome).body
            let info = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            #expect(Set(info.keys) == Set(required))
        }
    }
}
