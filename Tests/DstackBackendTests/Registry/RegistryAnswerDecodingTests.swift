import Testing
@testable import DstackBackend

/// The registry's answers are read leniently, as the hand-written parser read them: any JSON document
/// decodes, a field of another kind counts as no field, and only a body that is not JSON is refused.
@Suite struct RegistryAnswerDecodingTests {
    static let key = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"

    static func permission(_ body: String) -> PermissionStatus {
        PermissionStatus.parse(Array(body.utf8))
    }

    static func lookup(_ body: String) -> WorkerLookup {
        WorkerLookup.parse(Array(body.utf8), pubkey: key)
    }

    @Test func permissionFieldsOfAnotherKindCountAsNone() {
        #expect(Self.permission(#"{"write":{"mode":"AllowAll"},"read":7}"#) == .registered)
        #expect(Self.permission(#"{"registered":true}"#) == .registered)
        #expect(Self.permission(#"{"write":{"mode":"Allow"}}"#) == .notRegistered(reason: #"write mode is "Allow", not "AllowAll""#))
        #expect(Self.permission(#"{"write":{"mode":null},"registered":false}"#) == .notRegistered(reason: "the registry answered registered=false"))
        let none = PermissionStatus.notRegistered(reason: "the registry's answer grants no write permission")
        for body in [#"{"write":{"mode":5},"registered":"yes"}"#, #"{"write":"AllowAll"}"#, "[]", "5", "null", "{}"] {
            #expect(Self.permission(body) == none, "\(body)")
        }
        for body in ["<html>", #"{"registered":true,}"#, ""] {
            #expect(Self.permission(body) == .notRegistered(reason: "the registry's answer is not valid JSON"), "\(body)")
        }
    }

    @Test func workerRecordFieldsOfAnotherKindCountAsNone() {
        let noOwner = WorkerLookup.unusable(reason: "the answer has no owner field")
        // An owner member at the top decides where the record is, whatever its kind.
        #expect(Self.lookup(#"{"owner":5,"worker":{"owner":"0x01"}}"#) == noOwner)
        #expect(Self.lookup(#"{"worker":null}"#) == noOwner)
        #expect(Self.lookup(#"{"worker":"0x01"}"#) == noOwner)
        #expect(Self.lookup(#"{"owner":"0x01","node_type":7,"mint_tx_hash":null,"pubkey":5}"#)
            == .found(WorkerRecord(owner: "0x01", nodeType: nil, mintTxHash: nil)))
        #expect(Self.lookup(#"{"worker":{"owner":"0x01","pubkey":"\#(Self.key.uppercased())","mint_tx_hash":"0xab"}}"#)
            == .found(WorkerRecord(owner: "0x01", nodeType: nil, mintTxHash: "0xab")))
        #expect(Self.lookup(#"{"owner":"0x01",}"#) == .unusable(reason: "the answer is not JSON"))
    }
}
