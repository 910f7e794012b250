import Foundation
import Testing
@testable import DstackBackend

/// Issue 13: credentials in REGISTRY_URL / DSTACK_URL were printed in errors and logs.
@Suite struct CredentialRedactionTests {
    static let secret = "s3cretPass"
    static let token = "t0kenValue"
    static let required = ConfigurationTests.required

    @Test(arguments: [
        ("https://alice:s3cretPass@registry.example.com/api", "https://alice:***@registry.example.com/api"),
        ("https://s3cretPass@host", "https://***@host"),
        ("http://host:8080/x?token=t0kenValue&json", "http://host:8080/x?token=***&json"),
        ("http://a:s3cretPass@host?token=t0kenValue", "http://a:***@host?token=***"),
        ("htp://alice:s3cretPass@host", "htp://alice:***@host"),
        ("alice:s3cretPass@host:80", "alice:***@host:80"),
        ("http://alice:p@ss@host/", "http://alice:***@host/"),
        ("http://localhost:19060/prpc/ListGpus?json", "http://localhost:19060/prpc/ListGpus?json"),
        ("unix:///run/vmm.sock", "unix:///run/vmm.sock"),
        ("https://host/#frag?token=t0kenValue", "https://host/#frag?token=***"),
        ("http://alice:pa/ss@host/x", "http://alice:***@host/x"),
        ("http://alice:pa?ss@host", "http://alice:***@host"),
        ("http://alice:pa#ss@host", "http://alice:***@host"),
        ("http://host/p?email=a@b.example&k=v", "http://host/p?email=***&k=***"),
    ])
    func redactsPasswordsTokensAndQueryValues(text: String, shown: String) {
        #expect(URLRedaction.redact(text) == shown)
    }

    @Test func aURLWithCredentialsParsesUsesThemAndPrintsThemMasked() throws {
        let url = try HTTPURL.parse("https://alice:\(Self.secret)@registry.example.com/api/?token=\(Self.token)", setting: "REGISTRY_URL")
        #expect(url.userinfo == "alice:\(Self.secret)")
        #expect(url.description == "https://alice:***@registry.example.com/api?token=***")
        #expect(url.appending("/workers") == "https://alice:\(Self.secret)@registry.example.com/api/workers?token=\(Self.token)")
        #expect(url.appending("/prpc/ListGpus?json") == "https://alice:\(Self.secret)@registry.example.com/api/prpc/ListGpus?json&token=\(Self.token)")
    }

    @Test(arguments: [
        ["REGISTRY_URL": "ftp://alice:s3cretPass@registry.example.com"],
        ["REGISTRY_URL": "https://alice:s3cretPass@bad_host!"],
        ["REGISTRY_URL": "https://alice:s3cretPass@host:99999"],
        ["REGISTRY_URL": "https://host/#frag?token=t0kenValue"],
        ["DSTACK_URL": "http://alice:s3cretPass@host:0"],
        ["DSTACK_URL": "http://host:19060?token=t0kenValue#x"],
        ["DSTACK_BACKEND_DSTACK_URL": "gopher://alice:s3cretPass@host"],
        ["REGISTRY_URL": "https://alice:s3cr/etPass@host"],
    ])
    func configurationErrorsNeverQuoteTheSecret(changes: [String: String]) {
        let lines = ConfigurationTests.errorLines(changes)
        #expect(lines.count == 1, "\(lines)")
        for line in lines {
            #expect(!line.contains(Self.secret))
            #expect(!line.contains(Self.token))
            #expect(line.contains("***"))
        }
    }

    @Test func theStartUpSettingsLogShowsTheURLsMasked() throws {
        let configuration = try Configuration.resolve(
            environment: Self.required.merging([
                "REGISTRY_URL": "https://alice:\(Self.secret)@registry.example.com",
                "DSTACK_URL": "http://vmm:14520?token=\(Self.token)",
            ]) { $1 }, flags: [:])
        let sink = CollectingSink()
        configuration.logSettings(to: Logger(level: .info, sink: sink))
        let text = sink.records.map { $0.formatted(.text) + $0.formatted(.json) }.joined()
        #expect(!text.contains(Self.secret))
        #expect(!text.contains(Self.token))
        #expect(sink.records.contains { $0.field("value") == "https://alice:***@registry.example.com" })
        #expect(sink.records.contains { $0.field("value") == "http://vmm:14520?token=***" })
    }

    @Test func nip98CannotCarryURLCredentialsToo() {
        let lines = ConfigurationTests.errorLines(["REGISTRY_URL": "https://alice:\(Self.secret)@r.example.com", "REGISTRY_AUTH": "nip98"])
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("Error: REGISTRY_URL carries a user name and password") == true)
    }

    @Test func theCredentialsAreSentAndNeverShownInRequestErrors() throws {
        let server = try FakeHTTPServer { _ in .respond(status: 404) }
        defer { server.stop() }
        let base = try HTTPURL.parse(
            "http://alice:\(Self.secret)@127.0.0.1:\(server.port)?token=\(Self.token)", setting: "REGISTRY_URL")
        let registry = RegistryClient(baseURL: base, http: HTTPClient())
        _ = try? registry.permissions(pubkey: String(repeating: "ab", count: 32))
        let request = try #require(server.requests.first)
        let basic = "Basic " + Data("alice:\(Self.secret)".utf8).base64EncodedString()
        #expect(request.header("authorization") == basic)
        #expect(request.target.hasSuffix("?token=\(Self.token)"))

        server.stop()
        do {
            _ = try registry.permissions(pubkey: String(repeating: "ab", count: 32))
            Issue.record("a stopped server answered")
        } catch {
            #expect(!error.description.contains(Self.secret))
            #expect(!error.description.contains(Self.token))
            #expect(error.description.contains("alice:***@127.0.0.1"))
        }
    }

    @Test func thePollersLogAndHealthNeverShowTheSecret() throws {
        let refused = try FakeHTTPServer { _ in .respond(status: 500) }
        let port = refused.port
        refused.stop()
        let endpoint = try DstackEndpoint.parse("http://alice:\(Self.secret)@127.0.0.1:\(port)?token=\(Self.token)")
        let sink = CollectingSink()
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .seconds(1))
        let poller = DstackPoller(
            client: DstackClient(endpoint: endpoint, token: nil, http: HTTPClient()), interval: .seconds(1), publisher: publisher,
            logger: Logger(level: .debug, sink: sink))
        poller.pollOnce()
        let body = String(decoding: publisher.current().body, as: UTF8.self)
        let log = sink.records.map { $0.formatted(.text) }.joined(separator: "\n")
        #expect(body.contains("alice:***@127.0.0.1"))
        for text in [body, log] {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.token))
        }
    }

    @Test func theNIP98URLTagLeavesTheUserinfoOut() throws {
        #expect(URLRedaction.withoutUserinfo("https://a:b@h:1/p?token=x") == "https://h:1/p?token=x")
        #expect(URLRedaction.withoutUserinfo("https://h/p") == "https://h/p")
    }
}
