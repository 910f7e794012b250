import Testing
@testable import DstackBackend

/// `check`'s registry line: state, stored owner and node type, and an owner mismatch as a failure.
@Suite struct RegistryViewTests {
    typealias Fixtures = RegistryFixtures

    func result(_ script: ScriptedRegistry, nodeType: String = "node-H100x1") throws -> OperatorCheck.Result {
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        var configuration = Configuration(
            registryURL: try HTTPURL.parse(server.baseURL, setting: "REGISTRY_URL"), ownerAddress: Fixtures.owner)
        configuration.nodeType = .explicit(nodeType)
        configuration.httpConnectTimeout = .seconds(1)
        configuration.httpTimeout = .seconds(2)
        let result = OperatorCheck.registryResult(
            configuration: configuration, http: HTTPClient(configuration: configuration.httpClientConfiguration),
            pubkey: Fixtures.pubkey)
        #expect(server.requests.allSatisfy { $0.method == "GET" })
        return result
    }

    @Test func authorizedWithOurOwner() throws {
        let result = try result(ScriptedRegistry(get: [.json(200, Fixtures.allowAll)], workers: [.json(200, Fixtures.record(minted: true))]))
        #expect(result.status != .fail)
        #expect(result.detail.contains("registered and authorized (write AllowAll)"))
        #expect(result.detail.contains("stored owner 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed (= OWNER_ADDRESS)"))
        #expect(result.detail.contains("node type node-H100x1"))
        #expect(result.detail.contains("; minted"))
        #expect(result.hint == nil)
    }

    @Test func pendingWorkerWithAnotherNodeType() throws {
        let result = try result(
            ScriptedRegistry(get: [.json(200, Fixtures.pending)], workers: [.json(200, Fixtures.record(nodeType: "node-H200x8"))]))
        #expect(result.status != .fail)
        #expect(result.detail.contains(#"registered, pending: the registry does not authorize it yet (write mode is "Allow", not "AllowAll")"#))
        #expect(result.detail.contains("NODE_TYPE node-H100x1 differs (the registry keeps its own)"))
        #expect(result.detail.contains("not minted yet"))
    }

    @Test func v01RegistryWithAnUnknownWorker() throws {
        let result = try result(ScriptedRegistry(get: [.json(404, "")]))
        #expect(result.status != .fail)
        #expect(result.detail.contains("not registered (HTTP 404): the daemon registers it at start"))
        #expect(result.detail.contains("no worker record at GET /workers/<pubkey>, so the owner cannot be compared"))
    }

    @Test func anotherOwnerFailsWithWhatToDo() throws {
        let other = "0x0000000000000000000000000000000000000001"
        let result = try result(ScriptedRegistry(get: [.json(200, Fixtures.allowAll)], workers: [.json(200, Fixtures.record(owner: other))]))
        #expect(result.status == .fail)
        #expect(result.detail.contains("stored owner \(other) is NOT OWNER_ADDRESS 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"))
        #expect(result.hint?.contains("set OWNER_ADDRESS to \(other) if that address is yours") == true)
        #expect(result.hint?.contains("exit 78") == true)
    }

    @Test func anUnreachableRegistryFails() throws {
        let server = try FakeHTTPServer { _ in .close }
        let url = server.baseURL
        server.stop()
        var configuration = Configuration(
            registryURL: try HTTPURL.parse(url, setting: "REGISTRY_URL"), ownerAddress: Fixtures.owner)
        configuration.httpConnectTimeout = .seconds(1)
        configuration.httpTimeout = .seconds(1)
        let result = OperatorCheck.registryResult(configuration: configuration, http: HTTPClient(configuration: configuration.httpClientConfiguration), pubkey: Fixtures.pubkey)
        #expect(result.status == .fail)
        #expect(result.hint?.contains("check REGISTRY_URL") == true)
    }

    /// The registry's words (node type, owner, write mode) reach the terminal escaped: no bidi override or
    /// control character from a registry can rewrite `check`'s line.
    @Test func registryTextIsEscapedBeforeItIsPrinted() throws {
        let evil = #"\u202Eevil\u001b[31m\u0007"#
        let result = try result(ScriptedRegistry(
            get: [.json(200, #"{"write":{"mode":"\#(evil)"}}"#)],
            workers: [.json(200, Fixtures.record(owner: evil, nodeType: evil))]))
        let printed = result.detail + (result.hint ?? "")
        #expect(!printed.unicodeScalars.contains { PeerText.isUnsafe($0) }, "\(printed)")
        #expect(result.detail.contains(#"write mode is "\u202Eevil\u001B[31m\u0007""#) || result.detail.contains(#"write mode is "\u202eevil\u001b[31m\u0007""#), "\(result.detail)")
        #expect(result.detail.contains(#"node type \u202"#), "\(result.detail)")
        #expect(result.detail.contains(#"stored owner \u202"#), "\(result.detail)")
    }

    /// The one node-type comparison the daemon's warning and `check`'s line share.
    @Test func aStoredNodeTypeDiffersOnlyWhenBothAreThereAndUnequal() {
        let stored = WorkerRecord(owner: "0x00", nodeType: "node-H100x8", mintTxHash: nil)
        #expect(stored.nodeType(differingFrom: "node-H100x1") == "node-H100x8")
        #expect(stored.nodeType(differingFrom: "node-H100x8") == nil)
        #expect(WorkerRecord(owner: "0x00", nodeType: nil, mintTxHash: nil).nodeType(differingFrom: "node-H100x1") == nil)
        #expect(!stored.isMinted)
        #expect(WorkerRecord(owner: "0x00", nodeType: nil, mintTxHash: "0xabc").isMinted)
    }
}
