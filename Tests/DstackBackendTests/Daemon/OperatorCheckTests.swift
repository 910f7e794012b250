import Foundation
import Testing
import Synchronization

@testable import DstackBackend
import DstackTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `check` against real loopback servers: one hint per failure class, warnings that pass, honest counts.
@Suite struct OperatorCheckTests {
    static let key = Array("67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa".utf8)
    static let permissions = #"{"read":{"mode":"AllowAll"},"write":{"mode":"AllowAll"}}"#

    /// A key, a VMM and a registry that all answer well; `vmm` and `registry` replies can be swapped.
    struct Rig {
        let directory: TemporaryDirectory
        let vmm: FakeHTTPServer
        let registry: FakeHTTPServer

        init(
            vmm: @escaping @Sendable (RecordedRequest) -> FakeReply = { _ in .json(200, DstackClientTests.oneGPU, headers: [("X-App-Version", "0.5.3")]) },
            registry: @escaping @Sendable (RecordedRequest) -> FakeReply = { _ in .json(200, OperatorCheckTests.permissions) },
            keyMode: Int = 0o600
        ) throws {
            directory = try TemporaryDirectory()
            try directory.write(OperatorCheckTests.key, to: "key", mode: keyMode)
            self.vmm = try FakeHTTPServer(handler: vmm)
            self.registry = try FakeHTTPServer(handler: registry)
        }

        func configuration(
            dstackURL: String? = nil, registryURL: String? = nil, nodeType: String = "node-H200x1",
            listen: String? = nil
        ) throws -> Configuration {
            try Configuration.resolve(
                environment: [:],
                flags: [
                    "REGISTRY_URL": registryURL ?? "http://127.0.0.1:\(registry.port)",
                    "OWNER_ADDRESS": "0x3E5e9111Ae8eB78Fe1CC3bb8915d5D461F3Ef9A9",
                    "DSTACK_URL": dstackURL ?? "http://127.0.0.1:\(vmm.port)", "DATA_DIR": directory.path,
                    "NODE_TYPE": nodeType, "LISTEN_ADDR": listen ?? "unix:" + directory.path + "/backend.sock", "HTTP_TIMEOUT": "2s", "HTTP_CONNECT_TIMEOUT": "1s",
                ])
        }

        func run(_ configuration: Configuration) -> [OperatorCheck.Result] {
            OperatorCheck(configuration: configuration, logger: .silent).run()
        }

        func stop() {
            vmm.stop()
            registry.stop()
            directory.remove()
        }
    }

    static func result(_ name: String, in results: [OperatorCheck.Result]) -> OperatorCheck.Result? {
        results.first { $0.name == name }
    }

    @Test func everythingWellPassesWithoutWarnings() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let results = rig.run(try rig.configuration())
        #expect(results.allSatisfy { $0.status == .ok }, "\(OperatorCheck.report(results))")
        #expect(Set(results.map(\.name)) == ["configuration", "node key", "dstack VMM", "node type", "registry", "listen address"])
        #expect(OperatorCheck.exitCode(results) == 0)
        #expect(OperatorCheck.report(results).hasSuffix("all 6 checks passed"))
    }

    @Test func warningsPassButAreCountedAndHinted() throws {
        let rig = try Rig(keyMode: 0o644)
        defer { rig.stop() }
        let results = rig.run(try rig.configuration(nodeType: "node-H100x1"))
        let report = OperatorCheck.report(results)
        #expect(Self.result("node key", in: results)?.status == .warn, "\(report)")
        #expect(Self.result("node key", in: results)?.hint?.contains("chmod 600") == true)
        #expect(Self.result("node type", in: results)?.status == .warn, "\(report)")
        #expect(Self.result("node type", in: results)?.detail.contains("node-H200x1") == true)
        #expect(report.contains("[warn] node key: "))
        #expect(!report.contains("[FAIL]"))
        #expect(report.hasSuffix("all 6 checks passed, 2 warnings"))
        #expect(OperatorCheck.exitCode(results) == 0)
    }

    @Test func failuresAndWarningsAreBothCounted() throws {
        let rig = try Rig(registry: { _ in .respond(status: 503) }, keyMode: 0o640)
        defer { rig.stop() }
        let results = rig.run(try rig.configuration())
        #expect(OperatorCheck.summary(results) == "1 of 6 checks failed, 1 warning")
        #expect(OperatorCheck.exitCode(results) == 1)
    }

    // MARK: One hint per VMM failure class

    @Test func refusedOnLoopbackSaysNothingListensAndNamesTheSocketDefault() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let port = rig.vmm.port
        rig.vmm.stop()
        let vmm = Self.result("dstack VMM", in: rig.run(try rig.configuration(dstackURL: "http://127.0.0.1:\(port)")))
        #expect(vmm?.status == .fail)
        #expect(vmm?.hint?.contains("nothing listens on 127.0.0.1:\(port)") == true, "\(String(describing: vmm))")
        #expect(vmm?.hint?.contains("unix:./vmm.sock") == true)
        #expect(vmm?.hint?.contains("0.0.0.0") == false, "no bind-address advice for loopback")
    }

    @Test func httpsAgainstPlainHTTPSaysUseHTTP() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let vmm = Self.result("dstack VMM", in: rig.run(try rig.configuration(dstackURL: "https://127.0.0.1:\(rig.vmm.port)")))
        #expect(vmm?.status == .fail)
        #expect(vmm?.detail.contains("wrong version number") == true, "\(String(describing: vmm))")
        #expect(vmm?.hint == "DSTACK_URL says https but the VMM speaks plain http: use http://127.0.0.1:\(rig.vmm.port)")
    }

    @Test(arguments: [404, 400])
    func somethingThatIsNotTheVMMIsSaidSo(status: Int) throws {
        let rig = try Rig(vmm: { _ in .respond(status: status, body: Array("<html>nope</html>".utf8)) })
        defer { rig.stop() }
        let vmm = Self.result("dstack VMM", in: rig.run(try rig.configuration()))
        #expect(vmm?.status == .fail)
        #expect(vmm?.detail.contains("is not the dstack VMM") == true, "\(String(describing: vmm))")
        #expect(vmm?.hint?.contains("it is not the dstack VMM: check the port") == true)
    }

    @Test func theVMMsOwn400IsAReachableVMMRefusing() throws {
        let rig = try Rig(vmm: { _ in .json(400, #"{"error":"method not found"}"#, headers: [("X-App-Version", "0.4.0")]) })
        defer { rig.stop() }
        let vmm = Self.result("dstack VMM", in: rig.run(try rig.configuration()))
        #expect(vmm?.detail == "the VMM is reachable but answered HTTP 400: method not found")
        #expect(vmm?.hint?.contains("v0.4.2") == true)
    }

    @Test func aWrongTokenIsNotToldToSetOne() throws {
        let rig = try Rig(vmm: { _ in .respond(status: 401) })
        defer { rig.stop() }
        var configuration = try rig.configuration()
        let missing = Self.result("dstack VMM", in: rig.run(configuration))
        #expect(missing?.hint == "the VMM requires a token: set DSTACK_TOKEN")
        configuration.dstackToken = "wrong"
        let wrong = Self.result("dstack VMM", in: rig.run(configuration))
        #expect(wrong?.hint?.contains("refused DSTACK_TOKEN") == true, "\(String(describing: wrong))")
    }

    @Test func aMissingSocketNamesTheSocketAndNeverLocalhostPort80() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let path = rig.directory.path + "/vmm.sock"
        let vmm = Self.result("dstack VMM", in: rig.run(try rig.configuration(dstackURL: "unix:" + path)))
        #expect(vmm?.status == .fail)
        #expect(vmm?.detail.contains("cannot connect to Unix socket \(path)") == true, "\(String(describing: vmm))")
        #expect(vmm?.detail.contains("No such file or directory") == true, "\(String(describing: vmm))")
        #expect(vmm?.detail.contains("port 80") == false)
        #expect(vmm?.hint?.contains("DSTACK_RUN_DIR") == true)
    }

    @Test func aSilentUnixSocketNamesTheSocketAndNeverLocalhostPort80() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let path = rig.directory.path + "/vmm.sock"
        let hung = try FakeHTTPServer(unixPath: path) { _ in .hang }
        defer { hung.stop() }
        var configuration = try rig.configuration(dstackURL: "unix:" + path)
        configuration.httpTimeout = .seconds(1)
        let vmm = Self.result("dstack VMM", in: rig.run(configuration))
        #expect(vmm?.status == .fail)
        #expect(vmm?.hint?.contains("\(path) did not answer within") == true, "\(String(describing: vmm))")
        #expect(vmm?.hint?.contains("localhost") == false, "\(String(describing: vmm))")
        #expect(vmm?.hint?.contains(":80") == false, "\(String(describing: vmm))")
    }

    @Test func anUnresolvableHostAndASilentPortHaveTheirOwnHints() throws {
        let rig = try Rig(vmm: { _ in .hang })
        defer { rig.stop() }
        let hung = Self.result("dstack VMM", in: rig.run(try rig.configuration()))
        #expect(hung?.hint?.contains("did not answer within") == true, "\(String(describing: hung))")
        let dns = Self.result("dstack VMM", in: rig.run(try rig.configuration(dstackURL: "http://no-such-host.invalid:14520")))
        #expect(dns?.hint?.contains("does not resolve") == true, "\(String(describing: dns))")
    }

    // MARK: Key and registry failure classes

    @Test func aMalformedKeySaysRestoreAndAnUnreadableOneSaysRunAsTheOwner() throws {
        let rig = try Rig()
        defer { rig.stop() }
        try rig.directory.write(Array("not a key".utf8), to: "key")
        let malformed = Self.result("node key", in: rig.run(try rig.configuration()))
        #expect(malformed?.status == .fail)
        #expect(malformed?.hint?.contains("restore the key file from your backup") == true)
        let unreadable = OperatorCheck.keyHint(.permissionDenied(path: "/x/key", SystemError(call: "open", errno: EACCES)))
        #expect(unreadable.contains("cannot read it: run check as the daemon's user"))
        #expect(!unreadable.contains("backup"))
        #expect(OperatorCheck.keyHint(.keyFileMissing(path: "/x/key", dataDirectory: "/x")).contains("dstack-backend pubkey"))
    }

    @Test func registryFailureClassesHaveTheirOwnHints() throws {
        let rig = try Rig(registry: { _ in .respond(status: 401) })
        defer { rig.stop() }
        let signed = Self.result("registry", in: rig.run(try rig.configuration()))
        #expect(signed?.status == .warn)
        #expect(signed?.hint?.contains("REGISTRY_AUTH=nip98") == true)
        let tls = Self.result("registry", in: rig.run(try rig.configuration(registryURL: "https://127.0.0.1:\(rig.registry.port)")))
        #expect(tls?.status == .fail)
        #expect(tls?.hint == "REGISTRY_URL says https but the registry speaks plain http: use http://")
        let port = rig.vmm.port
        rig.vmm.stop()
        let refused = Self.result("registry", in: rig.run(try rig.configuration(registryURL: "http://127.0.0.1:\(port)")))
        #expect(refused?.hint?.contains("nothing listens on 127.0.0.1:\(port)") == true)
    }

    @Test func autoNodeTypeThatCannotBeDerivedFails() throws {
        let mixed = #"{"gpus":[{"slot":"1","product_id":"10de:2335","description":"H200","is_free":true},{"slot":"2","product_id":"10de:2330","description":"H100","is_free":true}]}"#
        let rig = try Rig(vmm: { _ in .json(200, mixed) })
        defer { rig.stop() }
        let type = Self.result("node type", in: rig.run(try rig.configuration(nodeType: "auto")))
        #expect(type?.status == .fail, "\(String(describing: type))")
    }
}

extension OperatorCheckTests {
    /// README's "What `dstack-backend check` prints" table shows every hint class check can print.
    @Test func theReadmeTableShowsEveryHintClass() throws {
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../README.md"),
            encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "### What `dstack-backend check` prints").dropFirst().first)
        let table = section.components(separatedBy: "\n## ").first ?? section
        let tcp = DstackEndpoint.http(HTTPURL(scheme: .http, host: "127.0.0.1", port: 19060, path: ""))
        let remote = DstackEndpoint.http(HTTPURL(scheme: .http, host: "host.docker.internal", port: 14520, path: ""))
        let socket = DstackEndpoint.unixSocket(path: "/run/vmm.sock")
        func transport(_ kind: HTTPClientError.Kind, _ detail: String = "") -> DstackError {
            .transport(HTTPClientError(kind: kind, url: "u", detail: detail))
        }
        let registryURL = HTTPURL(scheme: .http, host: "r", port: 9000, path: "")
        func registry(_ kind: RegistryError.Kind) -> String {
            OperatorCheck.registryHint(RegistryError(method: "GET", url: "u", kind: kind), url: registryURL)
        }
        var hints = [
            OperatorCheck.keyHint(.keyFileMissing(path: "k", dataDirectory: "d")),
            OperatorCheck.keyHint(.permissionDenied(path: "k", SystemError(call: "open", errno: EACCES))),
            OperatorCheck.keyHint(.notHex(path: "k", position: 1)),
            OperatorCheck.dstackHint(transport(.connectionRefused), endpoint: tcp),
            OperatorCheck.dstackHint(transport(.connectionRefused), endpoint: remote),
            OperatorCheck.dstackHint(transport(.connectionRefused), endpoint: socket),
            OperatorCheck.dstackHint(transport(.permissionDenied), endpoint: socket),
            OperatorCheck.keyHint(.danglingLink(path: "k", target: "/t")),
            OperatorCheck.dstackHint(transport(.tls, "wrong version number"), endpoint: tcp),
            OperatorCheck.dstackHint(transport(.dns), endpoint: tcp),
            OperatorCheck.dstackHint(transport(.timeout), endpoint: tcp),
            OperatorCheck.dstackHint(transport(.outOfDescriptors), endpoint: tcp),
            OperatorCheck.dstackHint(.notTheVMM(code: 404, message: ""), endpoint: tcp),
            OperatorCheck.dstackHint(.status(code: 400, message: "x"), endpoint: tcp),
            OperatorCheck.dstackHint(.unauthorized(tokenSent: false), endpoint: tcp),
            OperatorCheck.dstackHint(.unauthorized(tokenSent: true), endpoint: tcp),
            registry(.transport(HTTPClientError(kind: .connectionRefused, url: "u", detail: ""))),
            registry(.status(code: 503, body: "", retryAfter: nil)),
        ]
        hints.append(try #require(OperatorCheck.registryRefusalHint("HTTP 401")))
        hints.append(try #require(OperatorCheck.registryRefusalHint("HTTP 401", signed: true)))
        for hint in hints {
            let start = String(hint.prefix(18))
            #expect(table.contains(start), "README's check table lacks a hint starting \"\(start)\" (\(hint))")
        }
        for tag in ["[ ok ]", "[warn]", "[FAIL]", "[skip]"] where tag != "[ ok ]" {
            #expect(table.contains(tag))
        }
    }
}

extension OperatorCheckTests {
    /// A Unix LISTEN_ADDR some other process serves fails (the daemon would refuse it), and check leaves that
    /// socket file alone.
    @Test func aLiveUnixListenSocketFailsAndIsLeftAlone() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let path = rig.directory.path + "/live.sock"
        let live = try FakeHTTPServer(unixPath: path) { _ in .respond(status: 200) }
        defer { live.stop() }
        let listen = Self.result("listen address", in: rig.run(try rig.configuration(listen: "unix:" + path)))
        #expect(listen?.status == .fail, "\(String(describing: listen))")
        #expect(listen?.detail.contains("is in use") == true)
        #expect(FileManager.default.fileExists(atPath: path))
        let free = Self.result("listen address", in: rig.run(try rig.configuration()))
        #expect(free?.status == .ok)
    }
}

extension OperatorCheckTests {
    /// REGISTRY_AUTH=nip98: `check` signs its registry requests with the node key, as the daemon does, and a
    /// refused signature does not tell the operator to set what is already set.
    @Test func nip98SignsTheRegistryRequestsAndARefusalDoesNotAskForNip98() throws {
        let refuseSigned = Mutex(false)
        let rig = try Rig(registry: { request in
            guard request.header("Authorization")?.hasPrefix("Nostr ") == true else { return .json(401, "unsigned") }
            return refuseSigned.withLock { $0 } ? .json(401, "bad signature") : .json(200, OperatorCheckTests.permissions)
        })
        defer { rig.stop() }
        var configuration = try rig.configuration()
        configuration.registryAuth = .nip98

        let signed = try #require(rig.run(configuration).first { $0.name == "registry" })
        #expect(signed.status == .ok, "\(signed)")
        #expect(!rig.registry.requests.isEmpty)
        #expect(rig.registry.requests.allSatisfy { $0.header("Authorization")?.hasPrefix("Nostr ") == true })

        refuseSigned.withLock { $0 = true }
        let refused = try #require(rig.run(configuration).first { $0.name == "registry" })
        #expect(refused.status == .warn, "\(refused)")
        #expect(refused.hint?.contains("refused this node key's NIP-98 signature") == true, "\(refused)")
        #expect(refused.hint?.contains("set REGISTRY_AUTH") == false, "\(refused)")
        for status in ["HTTP 401", "HTTP 403"] {
            #expect(OperatorCheck.registryRefusalHint(status, signed: false)?.contains("set REGISTRY_AUTH=nip98") == true)
            #expect(OperatorCheck.registryRefusalHint(status, signed: true)?.contains("refused this node key's NIP-98 signature") == true)
        }
    }
}

extension OperatorCheckTests {
    static func backendInfo(pubkey: String, status: String = "Available") -> String {
        #"{"version":"1.0.0","topic":"dstack-gpu-monitor","pubkeys":[""# + pubkey + #""],"status":""# + status
            + #"","metadata":"{}","ip_address":null}"#
    }

    /// This process's command name, as `/proc/<pid>/comm` gives it.
    static var ownCommand: String {
        (try? String(contentsOfFile: "/proc/self/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    }

    /// A port some other program holds makes the daemon exit: a failure whose hint names the holder's pid.
    @Test func aPortHeldByAnotherProgramFailsAndNamesItsPid() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let busy = try FakeHTTPServer { _ in .respond(status: 404) }
        defer { busy.stop() }
        let results = rig.run(try rig.configuration(listen: "127.0.0.1:\(busy.port)"))
        let listen = try #require(Self.result("listen address", in: results))
        #expect(listen.status == .fail, "\(listen)")
        #expect(listen.detail.hasPrefix("cannot listen on 127.0.0.1:\(busy.port): "), "\(listen.detail)")
        #expect(listen.detail.contains("Address already in use"), "\(listen.detail)")
        #expect(listen.detail.hasSuffix("; what holds it does not answer /health as dstack-backend does, so the daemon would exit"), "\(listen.detail)")
        #expect(
            listen.hint
                == "held by pid \(getpid()) (\(Self.ownCommand)) (`sudo ss -ltnp 'sport = :\(busy.port)'` shows it): stop it, or set LISTEN_ADDR to a free address")
        #expect(OperatorCheck.summary(results) == "1 of 6 checks failed, 0 warnings")
        #expect(OperatorCheck.exitCode(results) == 1)
    }

    /// `docker compose exec … check` runs while the daemon serves the port: its /health names this node's
    /// pubkey, so the port is in use by the right process.
    @Test(arguments: ["Available", "Unavailable"])
    func thisDaemonAlreadyServingTheAddressIsOk(status: String) throws {
        let rig = try Rig()
        defer { rig.stop() }
        let pubkey = try Keystore.load(dataDirectory: rig.directory.path, logger: .silent).publicKey.hex
        let running = try FakeHTTPServer { request in
            request.target == "/health"
                ? .json(status == "Available" ? 200 : 503, Self.backendInfo(pubkey: pubkey, status: status)) : .respond(status: 404)
        }
        defer { running.stop() }
        let results = rig.run(try rig.configuration(listen: "0.0.0.0:\(running.port)"))
        let listen = try #require(Self.result("listen address", in: results))
        #expect(listen.status == .ok, "\(listen)")
        #expect(listen.detail == "0.0.0.0:\(running.port) is served by this daemon, already running (its /health names this node's pubkey)")
        #expect(listen.hint == nil)
        #expect(OperatorCheck.report(results).hasSuffix("all 6 checks passed"))

        let path = rig.directory.path + "/running.sock"
        let overSocket = try FakeHTTPServer(unixPath: path) { _ in .json(200, Self.backendInfo(pubkey: pubkey)) }
        defer { overSocket.stop() }
        let socketLine = Self.result("listen address", in: rig.run(try rig.configuration(listen: "unix:" + path)))
        #expect(socketLine?.status == .ok, "\(String(describing: socketLine))")
        #expect(socketLine?.detail == "unix:\(path) is served by this daemon, already running (its /health names this node's pubkey)")
    }

    /// Another dstack-backend (another DATA_DIR, another key) on the port still makes this one exit.
    @Test func anotherBackendOnTheAddressFails() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let other = String(repeating: "ab", count: 32)
        let running = try FakeHTTPServer { _ in .json(200, Self.backendInfo(pubkey: other)) }
        defer { running.stop() }
        let listen = try #require(Self.result("listen address", in: rig.run(try rig.configuration(listen: "127.0.0.1:\(running.port)"))))
        #expect(listen.status == .fail, "\(listen)")
        #expect(listen.detail.hasSuffix("; another dstack-backend answers /health there (pubkey \(other), not this node's), so the daemon would exit"), "\(listen.detail)")
        #expect(listen.hint?.hasPrefix("held by pid \(getpid()) (") == true, "\(String(describing: listen.hint))")
    }

    /// Every check has its line on every run, a check that could not run being `[skip]` with the reason.
    @Test func everyCheckIsListedAndThoseThatCouldNotRunAreSkipped() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let port = rig.vmm.port
        rig.vmm.stop()
        let down = rig.run(try rig.configuration(dstackURL: "http://127.0.0.1:\(port)"))
        #expect(down.map(\.name) == OperatorCheck.checkNames)
        let type = try #require(Self.result("node type", in: down))
        #expect(type.status == .skip)
        #expect(type.detail == "NODE_TYPE node-H200x1, not compared with the GPUs: the VMM did not answer (above)")
        #expect(OperatorCheck.report(down).contains("\n[skip] node type: NODE_TYPE node-H200x1, not compared"))
        #expect(OperatorCheck.summary(down) == "1 of 6 checks failed, 0 warnings, 1 skipped")

        let auto = rig.run(try rig.configuration(dstackURL: "http://127.0.0.1:\(port)", nodeType: "auto"))
        let autoType = try #require(Self.result("node type", in: auto))
        #expect(autoType.status == .skip)
        #expect(
            autoType.detail
                == "NODE_TYPE=auto derives the type from the VMM's GPUs, and the VMM did not answer (above): a node that is not registered yet waits for the VMM before it registers")
        #expect(autoType.hint == "fix the VMM (above), or set NODE_TYPE explicitly (for example node-H200x8) so registration does not wait for it")

        try FileManager.default.removeItem(atPath: rig.directory.path + "/key")
        let noKey = rig.run(try rig.configuration(dstackURL: "http://127.0.0.1:\(port)"))
        #expect(noKey.map(\.name) == OperatorCheck.checkNames)
        #expect(Self.result("registry", in: noKey)?.status == .skip)
        #expect(OperatorCheck.report(noKey).contains("\n[skip] registry: needs the node key's pubkey (node key, above)\n"))
        #expect(OperatorCheck.summary(noKey) == "2 of 6 checks failed, 0 warnings, 2 skipped")
    }

    @Test func anAutoNodeTypeShowsTheDerivedType() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let type = Self.result("node type", in: rig.run(try rig.configuration(nodeType: "auto")))
        #expect(type?.status == .ok)
        #expect(type?.detail == "NODE_TYPE=auto derives node-H200x1")
    }

    @Test func anInvalidConfigurationSkipsEveryOtherCheckByName() {
        let report = OperatorCheck.invalidConfigurationReport(["Error: OWNER_ADDRESS is required"])
        #expect(
            report == """
                [FAIL] configuration:
                       Error: OWNER_ADDRESS is required
                       hint: fix the settings named above (environment, .env or flags); the other checks need them

                """ + checksSkippedForInvalidSettings)
    }

    /// A key link to a missing file (an unmounted volume) is not "no key file … creates the key".
    @Test func aDanglingKeyLinkIsReportedAsSuchWithItsTarget() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let path = rig.directory.path + "/key"
        try FileManager.default.removeItem(atPath: path)
        #expect(symlink("/mnt/unmounted/key", path) == 0)
        let key = try #require(Self.result("node key", in: rig.run(try rig.configuration())))
        #expect(key.status == .fail)
        #expect(key.detail.hasPrefix("Error: key file \(path) is a symbolic link to /mnt/unmounted/key, which does not exist"), "\(key.detail)")
        #expect(!key.detail.contains("no key file"))
        #expect(
            key.hint
                == "mount the volume that holds the link's target, or restore the key file there from your backup; the daemon will not replace the link with a new key, and deleting the link to make one would make a new node")
    }
}
