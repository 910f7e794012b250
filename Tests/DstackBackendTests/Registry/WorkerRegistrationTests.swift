import Foundation
import Synchronization
import DstackTestSupport
import Testing
@testable import DstackBackend

@Suite struct WorkerRegistrationTests {
    typealias Fixtures = RegistryFixtures

    func messages(_ sink: CollectingSink) -> [String] { sink.records.map(\.message) }

    @Test func alreadyRegisteredMakesNoPost() throws {
        let script = ScriptedRegistry(get: [.json(200, Fixtures.allowAll)])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        let outcome = try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome
        #expect(outcome == .authorized)
        #expect(server.requests.map(\.target) == ["/permissions/\(Fixtures.pubkey)", "/workers/\(Fixtures.pubkey)"])
        #expect(messages(sink).contains("Worker is already registered, skipping registration"))
        #expect(sink.records(withMessage: "Worker registration completed successfully").count == 1)
    }

    /// Issue 20: an authorized worker whose lookup fails (5xx) is not kept offline: one try, no retries, the
    /// lookup reported missing so the daemon compares the owner in the background.
    @Test func anAuthorizedWorkerWhoseLookupFailsIsNotRetriedAndReportsNoLookup() throws {
        let script = ScriptedRegistry(get: [.json(200, Fixtures.allowAll)], workers: [.json(503, "down")])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        let result = try Fixtures.registration(baseURL: server.baseURL, sink: sink)
            .run(pubkey: Fixtures.pubkey, stop: StopSignal())
        #expect(result == RegistrationResult(outcome: .authorized, lookup: nil))
        #expect(server.requests(to: "/workers").count == 1)
        let warning = try #require(sink.records(withMessage: WorkerRegistration.ownerNotComparedMessage).first)
        #expect(warning.level == .warn)
        #expect(warning.field("reason")?.contains("503") == true)
        #expect(sink.records(withMessage: "Registry request failed, retrying").isEmpty)
    }

    /// An unregistered worker asks for its node type only when it posts, and never when the registry knows it.
    @Test func theNodeTypeIsAskedOnlyWhenTheWorkerMustBeRegistered() throws {
        let asked = Atomic<Int>(0)
        func registration(_ baseURL: String) throws -> WorkerRegistration {
            var registration = try Fixtures.registration(baseURL: baseURL, sink: CollectingSink())
            registration.nodeType = .whenNeeded { _ in
                asked.add(1, ordering: .relaxed)
                return "node-H200x8"
            }
            return registration
        }
        let known = ScriptedRegistry(get: [.json(200, Fixtures.allowAll)], workers: [.json(200, Fixtures.record())])
        let knownServer = try FakeHTTPServer { known.reply(to: $0) }
        defer { knownServer.stop() }
        #expect(try registration(knownServer.baseURL).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome == .authorized)
        #expect(asked.load(ordering: .relaxed) == 0)

        let unknown = ScriptedRegistry(get: [.json(404, ""), .json(200, Fixtures.allowAll)], post: [.json(201, "{}")])
        let unknownServer = try FakeHTTPServer { unknown.reply(to: $0) }
        defer { unknownServer.stop() }
        #expect(try registration(unknownServer.baseURL).run(pubkey: Fixtures.pubkey, stop: StopSignal()).outcome == .authorized)
        #expect(asked.load(ordering: .relaxed) == 1)
        let post = try #require(unknownServer.requests.first { $0.method == "POST" })
        #expect(String(decoding: post.body, as: UTF8.self).contains(#""node_type":"node-H200x8""#))
    }

    @Test func legacyRegisteredTrueCountsAsRegistered() throws {
        let script = ScriptedRegistry(get: [.json(200, #"{"registered":true}"#)])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        try Fixtures.registration(baseURL: server.baseURL, sink: CollectingSink())
            .run(pubkey: Fixtures.pubkey, stop: StopSignal())
        #expect(server.requests.map(\.method) == ["GET", "GET"])
    }

    @Test func allowModeIsNotRegisteredAndPosts() throws {
        let pending = #"{"read":{"mode":"AllowAll"},"write":{"mode":"Allow"},"ttl":60}"#
        let script = ScriptedRegistry(get: [.json(200, pending)], post: [.json(200, "{}")])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal())
        #expect(server.requests.map(\.method) == ["GET", "GET", "POST", "GET"])
        #expect(sink.records(withMessage: "Worker is not registered, registering").first?.field("reason")
            == #"write mode is "Allow", not "AllowAll""#)
        // Still pending after the POST: warned about, not fatal.
        #expect(messages(sink).contains("Registry has not granted write permission yet; the worker stays pending"))
    }

    @Test func notFoundThenPostsExactBody() throws {
        let script = ScriptedRegistry(get: [.json(404, #"{"error":"not found"}"#), .json(200, Fixtures.allowAll)],
            post: [.json(201, #"{"ok":true}"#)])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        try Fixtures.registration(baseURL: server.baseURL + "/", sink: sink)
            .run(pubkey: Fixtures.pubkey, stop: StopSignal())
        #expect(server.requests.map(\.method) == ["GET", "GET", "POST", "GET"])
        let post = try #require(server.requests.first { $0.method == "POST" })
        #expect(post.target == "/workers")
        #expect(post.header("content-type") == "application/json")
        let expected =
            #"{"pubkey":"\#(Fixtures.pubkey)","owner":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","node_type":"node-H100x1"}"#
        #expect(post.body == Array(expected.utf8))
        #expect(messages(sink).contains("Worker is now authorized to communicate with the message network"))
    }

    @Test func unparseableAnswerMeansNotRegistered() throws {
        let script = ScriptedRegistry(get: [.respond(status: 200, body: Array("<html>".utf8))], post: [.json(200, "{}")])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        try Fixtures.registration(baseURL: server.baseURL, sink: CollectingSink())
            .run(pubkey: Fixtures.pubkey, stop: StopSignal())
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test func post400StopsAtOnceWithStatusAndBody() throws {
        let (error, requests, sink) = try Fixtures.failedRegistration(
            ScriptedRegistry(get: [.json(404, "{}")], post: [.json(400, #"{"error":"invalid owner"}"#)]))
        guard case .rejected(let registryError) = error else {
            Issue.record("expected .rejected, got \(String(describing: error))")
            return
        }
        #expect(registryError.status == 400)
        #expect(requests.filter { $0.method == "POST" }.count == 1)
        #expect(error?.description.contains(#"answered HTTP 400: {"error":"invalid owner"}"#) == true)
        #expect(sink.records(withMessage: "Registry request failed, retrying").isEmpty)
    }

    @Test func retriesServiceUnavailableThenSucceeds() throws {
        let script = ScriptedRegistry(
            get: [.json(404, "{}"), .json(200, Fixtures.allowAll)],
            post: [.json(503, "busy"), .json(503, "busy"), .json(201, "{}")])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal())
        #expect(server.requests.filter { $0.method == "POST" }.count == 3)
        let retries = sink.records(withMessage: "Registry request failed, retrying")
        #expect(retries.count == 2)
        #expect(retries.map { $0.field("retry.in") } == ["0.01s", "0.02s"])
        #expect(retries.allSatisfy { $0.field("reason")?.contains("answered HTTP 503: busy") == true })
        #expect(retries.allSatisfy { $0.field("step") == "register" })
    }

    @Test func retriesATransientPermissionCheckBeforePosting() throws {
        let script = ScriptedRegistry(get: [.json(502, ""), .json(429, ""), .json(200, Fixtures.allowAll)])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal())
        #expect(server.requests.map(\.method) == ["GET", "GET", "GET", "GET"])
        #expect(sink.records(withMessage: "Registry request failed, retrying").count == 2)
    }

    @Test func givesUpWhenTheRegistryIsDownForTheWholeBudget() throws {
        let server = try FakeHTTPServer { _ in .close }
        let url = server.baseURL
        server.stop()
        let sink = CollectingSink()
        let registration = try Fixtures.registration(
            baseURL: url, backoff: Fixtures.fastBackoff(budget: .milliseconds(300), initial: .milliseconds(20), cap: .milliseconds(80)), sink: sink)
        let start = ContinuousClock.now
        let error = #expect(throws: RegistrationError.self) {
            try registration.run(pubkey: Fixtures.pubkey, stop: StopSignal())
        }
        #expect(start.duration(to: .now) < .seconds(2))
        guard case .gaveUp(let attempts, _, let last) = error else {
            Issue.record("expected .gaveUp, got \(String(describing: error))")
            return
        }
        #expect(attempts >= 3)
        if case .transport(let transport) = last.kind {
            #expect(transport.kind == .connectionRefused)
        } else {
            Issue.record("expected a transport error, got \(last)")
        }
        #expect(error?.description.contains("REGISTRATION_TIMEOUT") == true)
    }

    @Test func timesOutOnARegistryThatNeverAnswers() throws {
        let server = try FakeHTTPServer { _ in .hang }
        defer { server.stop() }
        let registration = try Fixtures.registration(
            baseURL: server.baseURL, backoff: Fixtures.fastBackoff(budget: .milliseconds(200)), sink: CollectingSink(),
            http: HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: .milliseconds(200)))
        let start = ContinuousClock.now
        let error = #expect(throws: RegistrationError.self) {
            try registration.run(pubkey: Fixtures.pubkey, stop: StopSignal())
        }
        #expect(start.duration(to: .now) < .seconds(3))
        guard case .gaveUp(_, _, let last) = error, case .transport(let transport) = last.kind else {
            Issue.record("expected to give up on a transport error, got \(String(describing: error))")
            return
        }
        #expect(transport.kind == .timeout)
    }

    @Test func refusesAnOversizedAnswer() throws {
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 5 << 20)
        let server = try FakeHTTPServer { _ in .respond(status: 200, body: big) }
        defer { server.stop() }
        let registration = try Fixtures.registration(baseURL: server.baseURL, sink: CollectingSink())
        let error = #expect(throws: RegistrationError.self) {
            try registration.run(pubkey: Fixtures.pubkey, stop: StopSignal())
        }
        guard case .rejected(let registryError) = error, case .transport(let transport) = registryError.kind else {
            Issue.record("expected a permanent transport error, got \(String(describing: error))")
            return
        }
        #expect(transport.kind == .responseTooLarge)
        #expect(server.requests.count == 1)
    }

    @Test func stopSignalEndsRetriesWithinASecond() throws {
        let server = try FakeHTTPServer { _ in .json(503, "down") }
        defer { server.stop() }
        let sink = CollectingSink()
        let registration = try Fixtures.registration(
            baseURL: server.baseURL, backoff: Fixtures.fastBackoff(budget: .seconds(60), initial: .seconds(5), cap: .seconds(30)), sink: sink)
        let stop = StopSignal()
        let stopper = Thread {
            // SIGTERM once the first attempt has failed: the flow is in its 5 s back-off (or about to be).
            _ = eventually { !server.requests.isEmpty }
            stop.stop(reason: .terminate)
        }
        let start = ContinuousClock.now
        stopper.start()
        let error = #expect(throws: RegistrationError.self) {
            try registration.run(pubkey: Fixtures.pubkey, stop: stop)
        }
        #expect(start.duration(to: .now) < .seconds(1))
        #expect(error == .interrupted(reason: "SIGTERM"))
        #expect(sink.records.allSatisfy { !$0.message.hasPrefix("Worker registration failed") })
        #expect(messages(sink).contains("Worker registration interrupted"))
    }

    @Test func logsTheContractSuccessLinesExactly() throws {
        let script = ScriptedRegistry(get: [.json(404, ""), .json(200, Fixtures.allowAll)], post: [.json(200, "")])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal())
        let success = sink.records.filter { $0.message.hasPrefix("Worker ") && $0.level == .info }.map(\.message)
        #expect(success.contains("Worker registration completed successfully"))
        #expect(success.contains("Worker is now authorized to communicate with the message network"))
        let completed = try #require(messages(sink).firstIndex(of: "Worker registration completed successfully"))
        #expect(messages(sink)[completed + 1] == "Worker is now authorized to communicate with the message network")
        #expect(sink.records.allSatisfy { $0.level != .error })
    }

    @Test func logsTheContractFailureLinesExactly() throws {
        let (error, _, sink) = try Fixtures.failedRegistration(
            ScriptedRegistry(get: [.json(404, "")], post: [.json(422, "owner rejected")]))
        let errors = sink.records.filter { $0.level == .error }.map(\.message)
        #expect(errors == [
            "Worker registration failed: \(error?.description ?? "?")",
            "Cannot start service without successful registration",
        ])
        #expect(errors.first?.contains("HTTP 422: owner rejected") == true)
        #expect(errors.first?.contains("check OWNER_ADDRESS and NODE_TYPE") == true)
        #expect(!messages(sink).contains("Worker registration completed successfully"))
    }

    @Test func headerProviderSignsEveryRequest() throws {
        let script = ScriptedRegistry(get: [.json(404, ""), .json(200, Fixtures.allowAll)], post: [.json(200, "")])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let seen = Mutex<[String]>([])
        let registration = try Fixtures.registration(baseURL: server.baseURL, sink: CollectingSink()) {
            method, url, body in
            seen.withLock { $0.append("\(method.rawValue) \(url) \(body.count)") }
            return [("Authorization", "Nostr \(method.rawValue)")]
        }
        try registration.run(pubkey: Fixtures.pubkey, stop: StopSignal())
        #expect(server.requests.map { $0.header("authorization") } == ["Nostr GET", "Nostr GET", "Nostr POST", "Nostr GET"])
        let body = RegistryClient.registrationBody(pubkey: Fixtures.pubkey, owner: Fixtures.owner, nodeType: "node-H100x1")
        let calls = seen.withLock { $0 }
        #expect(calls[2] == "POST \(server.baseURL)/workers \(body.count)")
        #expect(calls[1] == "GET \(server.baseURL)/workers/\(Fixtures.pubkey) 0")
        #expect(calls[0] == "GET \(server.baseURL)/permissions/\(Fixtures.pubkey) 0")
    }

    @Test func refusesAMalformedPublicKeyWithoutSending() throws {
        let server = try FakeHTTPServer { _ in .json(200, Fixtures.allowAll) }
        defer { server.stop() }
        let registration = try Fixtures.registration(baseURL: server.baseURL, sink: CollectingSink())
        #expect(throws: RegistrationError.self) { try registration.run(pubkey: "../admin", stop: StopSignal()) }
        #expect(server.requests.isEmpty)
    }

    @Test func honoursRetryAfterUpToTheCap() throws {
        let script = ScriptedRegistry(
            get: [.json(429, "", headers: [("Retry-After", "1")]), .json(200, Fixtures.allowAll)])
        let server = try FakeHTTPServer { script.reply(to: $0) }
        defer { server.stop() }
        let sink = CollectingSink()
        try Fixtures.registration(baseURL: server.baseURL, sink: sink).run(pubkey: Fixtures.pubkey, stop: StopSignal())
        // Asked for 1 s, capped at the 0.05 s maximum delay.
        #expect(sink.records(withMessage: "Registry request failed, retrying").first?.field("retry.in") == "0.05s")
    }
}

@Suite struct BackoffPolicyTests {
    @Test func doublesFromOneSecondToTheCap() {
        let policy = BackoffPolicy(random: { 0 })
        #expect((1...8).map { policy.delay(afterAttempt: $0) } == [1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
        #expect(policy.budget == .seconds(120))
    }

    @Test func jitterOnlyShortensDelays() {
        let policy = BackoffPolicy(random: { 0.999_999 })
        let delay = policy.delay(afterAttempt: 1)
        #expect(delay > .milliseconds(790) && delay < .milliseconds(810))
        #expect(policy.delay(afterAttempt: 100) <= .seconds(30))
    }

    @Test func configurationDrivesBudgetAndTimeouts() throws {
        let configuration = try Configuration.resolve(
            environment: [
                "REGISTRY_URL": "http://r", "OWNER_ADDRESS": "0x3e5e9111ae8eb78fe1cc3bb8915d5d461f3ef9a9",
                "REGISTRATION_TIMEOUT": "45s", "HTTP_TIMEOUT": "3", "HTTP_CONNECT_TIMEOUT": "500ms",
            ], flags: [:])
        #expect(configuration.registrationBackoff.budget == .seconds(45))
        #expect(configuration.httpClientConfiguration.totalTimeout == .seconds(3))
        #expect(configuration.httpClientConfiguration.connectTimeout == .milliseconds(500))
        // Wired as Daemon.run wires it.
        let registration = WorkerRegistration(
            client: RegistryClient(
                baseURL: configuration.registryURL, http: HTTPClient(configuration: configuration.httpClientConfiguration),
                logger: .silent),
            owner: configuration.ownerAddress, nodeType: .known("CPU"), backoff: configuration.registrationBackoff,
            logger: .silent)
        #expect(registration.client.baseURL.description == "http://r")
        #expect(registration.client.http.configuration.totalTimeout == .seconds(3))
        #expect(registration.backoff.initialDelay == .seconds(1) && registration.backoff.maximumDelay == .seconds(30))
    }
}
