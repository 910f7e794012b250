import Foundation
import Testing
@testable import DstackBackend

@Suite struct NodeTypeDetectionTests {
    let h200 = (productID: "10de:2335", description: "NVIDIA Corporation GH100 [H200 SXM 141GB]")
    let h100 = (productID: "10de:2330", description: "NVIDIA Corporation GH100 [H100 SXM5 80GB]")

    @Test func derivesModelAndCountFromDescriptions() throws {
        #expect(try NodeTypeDetection.derive(Array(repeating: h200, count: 8)).get() == "node-H200x8")
        #expect(try NodeTypeDetection.derive([h100]).get() == "node-H100x1")
        #expect(try NodeTypeDetection.derive([("10de:2901", "NVIDIA Corporation GB100 [B200]")]).get() == "node-B200x1")
    }

    @Test func chipNameIsNotAModel() {
        // GH100 contains "H100" but is the chip of both H100 and H200.
        #expect(NodeTypeDetection.model(productID: "10de:9999", description: "NVIDIA Corporation GH100") == nil)
    }

    @Test func fallsBackToCertainProductIDs() throws {
        let unnamed = (productID: "10de:2335", description: "NVIDIA Corporation Device 2335")
        #expect(try NodeTypeDetection.derive([unnamed, unnamed]).get() == "node-H200x2")
        #expect(NodeTypeDetection.model(productID: "10de:2331", description: "NVIDIA Corporation Device 2331") == "H100")
    }

    @Test func noGPUsIsCPU() throws {
        #expect(try NodeTypeDetection.derive([]).get() == "CPU")
    }

    @Test func refusesMixedAndUnknownListingWhatWasSeen() {
        let mixed = NodeTypeDetection.derive([h200, h100, h100])
        guard case .failure(let failure) = mixed else {
            Issue.record("mixed GPUs were accepted")
            return
        }
        #expect(failure.seen == ["1x 10de:2335 \"NVIDIA Corporation GH100 [H200 SXM 141GB]\"", "2x 10de:2330 \"NVIDIA Corporation GH100 [H100 SXM5 80GB]\""])
        #expect(failure.description.contains("set NODE_TYPE explicitly"))
        let unknown = NodeTypeDetection.derive([("10de:26b9", "NVIDIA Corporation AD102GL [L40S]")])
        #expect((try? unknown.get()) == nil)
    }

    @Test func mismatchNamesTheDetectedType() {
        #expect(NodeTypeDetection.mismatch(configured: "node-H100x1", gpus: Array(repeating: h200, count: 8)) == "node-H200x8")
        #expect(NodeTypeDetection.mismatch(configured: "node-H200x8", gpus: Array(repeating: h200, count: 8)) == nil)
    }
}

/// NIP-98 needs standard base64 with padding (RFC 4648 section 4), which `Data.base64EncodedString()` writes.
@Suite struct Base64Tests {
    @Test func matchesFoundation() throws {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (text, encoded) in vectors {
            #expect(Data(text.utf8).base64EncodedString() == encoded)
        }
        #expect(Data([0xfb, 0xff, 0xbf]).base64EncodedString() == "+/+/")
        // The header is that encoding of the event JSON, whatever its length modulo 3 (so all three paddings;
        // each signature is fresh, so the header is decoded and re-encoded rather than compared to a second event).
        let signer = NIP98Signer(key: try NodeKey(secretKey: SecretKey(bytes: Hex.decode("67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa")!)), logger: .silent, now: { 1_700_000_000 })
        for length in 0..<3 {
            let url = "http://127.0.0.1:9/" + String(repeating: "w", count: length)
            let encoded = String(try signer.authorization(method: "GET", url: url, body: nil).dropFirst("Nostr ".count))
            let json = try #require(Data(base64Encoded: encoded))
            #expect(json.base64EncodedString() == encoded)
            #expect(String(decoding: json, as: UTF8.self).hasPrefix(#"{"id":""#))
        }
    }
}
