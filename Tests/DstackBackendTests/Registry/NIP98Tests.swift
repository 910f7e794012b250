import Foundation
import Testing
import DstackTestSupport
@testable import DstackBackend

@Suite struct NIP98Tests {
    let key: NodeKey

    init() throws {
        key = try NodeKey(secretKey: SecretKey(bytes: Hex.decode(NIP19Vector.nsecHex)!))
    }

    @Test func eventHasTheNIP98ShapeAndAValidIDAndSignature() throws {
        let signer = NIP98Signer(key: key, logger: .silent, now: { 1_700_000_000 })
        let body = Array(#"{"pubkey":"x"}"#.utf8)
        let event = try signer.event(method: "POST", url: "https://registry.example/workers", body: body)
        #expect(event.kind == 27235)
        #expect(event.content == "")
        #expect(event.tags == [
            ["u", "https://registry.example/workers"], ["method", "POST"],
            ["payload", Hex.encode(SHA256.hash(body))],
        ])
        let serialization = NostrEvent.canonicalSerialization(
            pubkey: event.pubkey, createdAt: event.createdAt, kind: event.kind, tags: event.tags, content: event.content)
        #expect(String(decoding: serialization, as: UTF8.self).hasPrefix("[0,\"\(key.publicKey.hex)\",1700000000,27235,[[\"u\","))
        #expect(event.id == Hex.encode(SHA256.hash(serialization)))
        #expect(key.publicKey.verify(Hex.decode(event.sig)!, message: Hex.decode(event.id)!))
    }

    /// NIP-01's escaping, byte for byte: UTF-8 as is, only the short escapes and other controls as `\u00XX`.
    @Test func serializesExactlyAsNIP01Says() throws {
        let tags = [["u", "http://r/é"], [], ["t", "😀\u{7f}"]]
        let content = "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f} é€"
        let serialization = NostrEvent.canonicalSerialization(
            pubkey: "ab", createdAt: 1_700_000_000, kind: 27235, tags: tags, content: content)
        let expected = #"[0,"ab",1700000000,27235,[["u","http://r/é"],[],["t","😀\#u{7f}"]],"a\"b\\c\n\r\t\b\f\u0001\u001f é€"]"#
        #expect(serialization == Array(expected.utf8))
        let event = try NostrEvent(key: key, createdAt: 1_700_000_000, kind: 27235, tags: tags, content: content)
        let json = #"{"id":"\#(event.id)","pubkey":"\#(key.publicKey.hex)","created_at":1700000000,"kind":27235,"#
            + #""tags":[["u","http://r/é"],[],["t","😀\#u{7f}"]],"content":"a\"b\\c\n\r\t\b\f\u0001\u001f é€","#
            + #""sig":"\#(event.sig)"}"#
        #expect(event.json == Array(json.utf8))
    }

    @Test func getHasNoPayloadTag() throws {
        let signer = NIP98Signer(key: key, logger: .silent, now: { 1 })
        let event = try signer.event(method: "GET", url: "http://r/permissions/abc", body: nil)
        #expect(event.tags == [["u", "http://r/permissions/abc"], ["method", "GET"]])
    }

    /// An independent implementation (Python: hashlib + coincurve) recomputes the id from the event's own
    /// fields and verifies the signature of the header we would send.
    @Test func headerVerifiesWithAnIndependentImplementation() throws {
        let signer = NIP98Signer(key: key, logger: .silent)
        let header = try signer.authorization(method: "POST", url: "http://127.0.0.1:9/workers", body: Array("{}".utf8))
        #expect(header.hasPrefix("Nostr "))
        let script = """
            import base64, hashlib, json, sys
            from coincurve import PublicKeyXOnly
            event = json.loads(base64.b64decode(sys.argv[1].split(" ", 1)[1]))
            serial = json.dumps([0, event["pubkey"], event["created_at"], event["kind"], event["tags"], event["content"]],
                                separators=(",", ":"), ensure_ascii=False).encode()
            assert hashlib.sha256(serial).hexdigest() == event["id"], "id mismatch"
            assert event["kind"] == 27235
            tags = dict((t[0], t[1]) for t in event["tags"])
            assert tags["u"] == "http://127.0.0.1:9/workers" and tags["method"] == "POST"
            assert tags["payload"] == hashlib.sha256(b"{}").hexdigest()
            assert PublicKeyXOnly(bytes.fromhex(event["pubkey"])).verify(bytes.fromhex(event["sig"]), bytes.fromhex(event["id"]))
            print("verified")
            """
        let text = try runPython(script, arguments: [header])
        #expect(text.contains("verified"))
    }

    @Test func registryRequestsCarryTheHeader() throws {
        let server = try FakeHTTPServer { _ in .json(200, #"{"write":{"mode":"AllowAll"}}"#) }
        defer { server.stop() }
        let signer = NIP98Signer(key: key, logger: .silent)
        let client = RegistryClient(
            baseURL: try HTTPURL.parse(server.baseURL, setting: "REGISTRY_URL"), http: HTTPClient(),
            headerProvider: signer.headerProvider)
        _ = try client.permissions(pubkey: key.publicKey.hex)
        let authorization = try #require(server.requests.first?.header("authorization"))
        #expect(authorization.hasPrefix("Nostr "))
        let json = try #require(Data(base64Encoded: String(authorization.dropFirst(6))))
        let event = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let tags = try #require(event["tags"] as? [[String]])
        #expect(tags.contains(["u", server.baseURL + "/permissions/" + key.publicKey.hex]))
        #expect(tags.contains(["method", "GET"]))
    }
}
