import Foundation
import Synchronization
import Testing
@testable import DstackBackend
import DstackTestSupport

@Suite struct DstackPollerTests {
    func poller(
        _ server: FakeHTTPServer, sink: CollectingSink, interval: Duration = .seconds(5), token: String? = nil,
        address: AdvertisedAddress.Source = .fixed(nil), staleMargin: Duration = HealthPublisher.defaultStaleMargin,
        level: LogLevel = .info, outageReminder: Duration = .seconds(300), clock: any MonotonicClock = .system,
        timeout: Duration = .seconds(5), onPoll: (@Sendable (PollOutcome, Duration) -> Void)? = nil
    ) throws -> (DstackPoller, HealthPublisher) {
        // `timeout` bounds the client's requests: long by default, so a loaded machine's slow answer is not a
        // timeout; the tests about a hung VMM pass a short one. (The publisher's staleness keeps 300 ms.)
        let endpoint: DstackEndpoint =
            if let path = server.socketPath { .unixSocket(path: path) } else { try DstackEndpoint.parse(server.baseURL) }
        let publisher = HealthPublisher(
            pubkey: BackendInfoTests.pubkey, address: address, pollInterval: interval, httpTimeout: .milliseconds(300),
            staleMargin: staleMargin, clock: clock)
        let client = DstackClient(
            endpoint: endpoint, token: token,
            http: HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: timeout)))
        let poller = DstackPoller(
            client: client, interval: interval, publisher: publisher, logger: Logger(level: level, sink: sink),
            outageReminder: outageReminder, onPoll: onPoll)
        return (poller, publisher)
    }

    @Test func identicalPollsLogOnceAndChangesLogAgain() throws {
        let state = FakeState()
        let server = try FakeHTTPServer { _ in state.reply() }
        defer { server.stop() }
        let sink = CollectingSink()
        let (poller, publisher) = try poller(server, sink: sink, level: .debug)
        for _ in 0..<5 { poller.pollOnce() }
        #expect(sink.records(withMessage: "dstack answered").count == 1)
        #expect(publisher.current().status == 200)
        state.set(.json(400, #"{"error":"down"}"#))
        for _ in 0..<5 { poller.pollOnce() }
        let failures = sink.records.filter { $0.message.hasPrefix("Failed to connect to dstack: ") }
        #expect(failures.count == 1)
        #expect(failures.first?.message == "Failed to connect to dstack: the VMM is reachable but answered HTTP 400: down")
        #expect(publisher.current().status == 503)
        state.set(.json(400, #"{"error":"still down, differently"}"#))
        poller.pollOnce()
        #expect(sink.records.filter { $0.message.hasPrefix("Failed to connect to dstack: ") }.count == 2)
        state.set(.json(200, DstackClientTests.oneGPU))
        poller.pollOnce()
        poller.pollOnce()
        #expect(sink.records(withMessage: "dstack is available again").count == 1)
        state.set(.json(200, DstackClientTests.eight()))
        poller.pollOnce()
        #expect(sink.records(withMessage: "GPU set changed").count == 1)
        #expect(sink.records.filter { $0.level != .debug }.count == 5)
        #expect(sink.records(withMessage: "dstack poll").count == 14, "one debug line per poll")
    }

    @Test func aLongOutageIsRemindedWithItsDurationAndRecoverySaysHowLongItLasted() throws {
        let state = FakeState()
        let server = try FakeHTTPServer { _ in state.reply() }
        defer { server.stop() }
        let sink = CollectingSink()
        let clock = ManualClock()
        let (poller, _) = try poller(server, sink: sink, outageReminder: .milliseconds(200), clock: clock)
        poller.pollOnce()
        state.set(.json(400, #"{"error":"down"}"#))
        poller.pollOnce()
        poller.pollOnce()
        #expect(sink.records(withMessage: "dstack is still unavailable; /health says Unavailable").isEmpty, "not before 0.2s")
        clock.advance(by: .milliseconds(250))
        poller.pollOnce()
        poller.pollOnce()
        let reminders = sink.records(withMessage: "dstack is still unavailable; /health says Unavailable")
        #expect(reminders.count == 1, "then not again until twice the gap")
        #expect(reminders.first?.level == .error)
        #expect(reminders.first?.field("reason") == "the VMM is reachable but answered HTTP 400: down")
        #expect(reminders.first.flatMap { $0.field("down_for.seconds") }.flatMap(Int.init) == 0)
        #expect(reminders.first?.field("down_for") == "0s")
        clock.advance(by: .milliseconds(450))
        poller.pollOnce()
        #expect(sink.records(withMessage: "dstack is still unavailable; /health says Unavailable").count == 2)
        state.set(.json(200, DstackClientTests.oneGPU))
        poller.pollOnce()
        let recovered = sink.records(withMessage: "dstack is available again")
        #expect(recovered.count == 1)
        #expect(recovered.first?.field("outage.duration") == "1s", "0.7 s rounds to 1s: \(String(describing: recovered.first))")
        #expect(recovered.first?.field("outage.seconds") == "1")
        #expect(sink.records(withMessage: "dstack poll").isEmpty, "no per-poll lines at info")
    }

    /// Outage durations are written as every other duration is (`SettingParsers.format`), to the second.
    @Test func outageDurationsReadLikeClocks() {
        #expect(SettingParsers.format(.seconds(45)) == "45s")
        #expect(SettingParsers.format(.seconds(750)) == "750s")
        #expect(SettingParsers.format(.seconds(3 * 3600 + 5 * 60 + 9)) == "11109s")
        #expect(SettingParsers.format(.seconds(2 * 86_400 + 4 * 3600)) == "187200s")
    }

    @Test(arguments: [false, true])
    func aHungVMMTurnsTheSnapshotUnavailableWithinTheTimeout(overSocket: Bool) throws {
        let state = FakeState()
        let server = try FakeVMM(overSocket: overSocket) { _ in state.reply() }
        defer { server.stop() }
        let reports = PollCounter()
        let (poller, publisher) = try poller(server.server, sink: CollectingSink(), timeout: .milliseconds(300)) {
            reports.add($0, $1)
        }
        poller.pollOnce()
        #expect(publisher.current().status == 200)
        state.set(.hang)
        let started = Date()
        let outcome = poller.pollOnce()
        #expect(Date().timeIntervalSince(started) < 2)
        // onPoll (the lead's metrics) hears both polls; the hung one lasted about the 0.3 s client timeout.
        let heard = reports.all
        #expect(heard.count == 2)
        #expect(heard.last?.outcome == outcome)
        #expect(heard.last.map { $0.seconds >= 0.25 && $0.seconds < 2 } == true)
        guard case .unavailable(let reason) = outcome else {
            Issue.record("a hung VMM was reported available")
            return
        }
        #expect(reason.contains("timed out"))
        #expect(publisher.current().status == 503)
        #expect(String(decoding: publisher.current().body, as: UTF8.self).contains("Error: timed out"))
    }

    @Test func aRefusedTokenIsLoggedAsSuchAndTheTokenNever() throws {
        let server = try FakeHTTPServer { _ in .respond(status: 401) }
        defer { server.stop() }
        let sink = CollectingSink()
        let (poller, publisher) = try poller(server, sink: sink, token: "t0ps3cret-token")
        poller.pollOnce()
        poller.pollOnce()
        #expect(sink.records.map(\.message) == ["Failed to connect to dstack: the VMM answered 401 Unauthorized: DSTACK_TOKEN was not accepted"])
        for record in sink.records {
            #expect(!record.formatted(.text).contains("t0ps3cret"))
            #expect(!record.formatted(.json).contains("t0ps3cret"))
        }
        #expect(!String(decoding: publisher.current().body, as: UTF8.self).contains("t0ps3cret"))
        #expect(server.requests.allSatisfy { $0.header("authorization") == "Bearer t0ps3cret-token" })
    }

    @Test func aChangedDefaultRouteAddressIsPublishedAndLogged() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let routes = directory.path + "/route"
        let header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        try (header + "lo\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n").write(toFile: routes, atomically: true, encoding: .utf8)
        let server = try FakeHTTPServer { _ in .json(200, DstackClientTests.oneGPU) }
        defer { server.stop() }
        let sink = CollectingSink()
        let (poller, publisher) = try poller(server, sink: sink, address: .defaultRoute(routeTable: routes))
        #expect(publisher.ipAddress == "127.0.0.1")
        poller.pollOnce()
        poller.pollOnce()
        #expect(sink.records(withMessage: "Advertised address changed").isEmpty)
        #expect(String(decoding: publisher.current().body, as: UTF8.self).hasSuffix(#","ip_address":"127.0.0.1"}"#))
        try header.write(toFile: routes, atomically: true, encoding: .utf8)
        poller.pollOnce()
        #expect(String(decoding: publisher.current().body, as: UTF8.self).hasSuffix(#","ip_address":null}"#))
        let changes = sink.records(withMessage: "Advertised address changed")
        #expect(changes.count == 1)
        #expect(changes.first?.field("ip_address") == "null")
        #expect(changes.first?.field("ip_address.before") == "127.0.0.1")
    }

    @Test func aPollerThatStopsPollingTurnsHealthStale() throws {
        let server = try FakeHTTPServer { _ in .json(200, DstackClientTests.oneGPU) }
        defer { server.stop() }
        let clock = ManualClock()
        let (poller, publisher) = try poller(
            server, sink: CollectingSink(), interval: .milliseconds(50), staleMargin: .milliseconds(50), clock: clock)
        poller.pollOnce()
        #expect(publisher.current().status == 200)
        clock.advance(by: .milliseconds(500))
        let stale = publisher.current()
        #expect(stale.status == 503)
        let body = String(decoding: stale.body, as: UTF8.self)
        #expect(body.contains(#""status":"Unavailable","metadata":"Error: the dstack poller has not finished a poll in over 0.4s (the stale threshold: the larger of 3 poll intervals and one poll interval + HTTP_TIMEOUT + 0.05s); it may be stuck""#))
        poller.pollOnce()
        #expect(publisher.current().status == 200)
    }

    /// The duration `onPoll` reports (the metrics' histogram) and `duration_ms` logs is read off the clock.
    @Test func aPollsDurationIsMeasuredOnTheClock() throws {
        let clock = ManualClock()
        let server = try FakeHTTPServer { _ in
            clock.advance(by: .milliseconds(250))
            return .json(200, DstackClientTests.oneGPU)
        }
        defer { server.stop() }
        let sink = CollectingSink()
        let reports = PollCounter()
        let (poller, _) = try poller(server, sink: sink, level: .debug, clock: clock) { reports.add($0, $1) }
        poller.pollOnce()
        #expect(reports.all.map(\.seconds) == [0.25])
        #expect(sink.records(withMessage: "dstack poll").first?.field("duration_ms") == "250")
    }

    /// Issue 23: the observer is called as it was given, so every poll runs it at the same stack depth.
    ///
    /// It used to be read out of a `Mutex` and so re-wrapped in one more reabstraction thunk on every poll
    /// (see `DstackPoller.onPoll`): the n-th poll called it through n thunks, n frames deeper, and each
    /// thunk stayed on the heap. The address of a local in the observer is the depth it runs at; the same
    /// call path, poll after poll (answers and failures alike), must give one address, not 200.
    @Test func onPollRunsAtTheSameDepthOnEveryPoll() throws {
        let state = FakeState()
        let server = try FakeHTTPServer { _ in state.reply() }
        defer { server.stop() }
        let depths = StackDepths()
        let (poller, _) = try poller(server, sink: CollectingSink()) { _, _ in depths.record() }
        for poll in 0..<200 {
            state.set(poll % 50 < 25 ? .json(200, DstackClientTests.oneGPU) : .json(400, #"{"error":"down"}"#))
            poller.pollOnce()
        }
        let seen = depths.all
        #expect(seen.count == 200)
        let deeper = (seen.first ?? 0) - (seen.last ?? 0)
        #expect(Set(seen).count == 1, "the observer ran at \(Set(seen).count) depths, the last \(deeper) bytes deeper than the first")
    }

    /// A poller on a `ManualClock`, counting its polls, in `run(until:)` on its own thread.
    func running(
        _ server: FakeHTTPServer, interval: Duration
    ) throws -> (clock: ManualClock, counter: PollCounter, stop: StopSignal, thread: BackgroundThread) {
        let clock = ManualClock()
        let counter = PollCounter()
        let (poller, _) = try poller(server, sink: CollectingSink(), interval: interval, clock: clock) {
            counter.add($0, $1)
        }
        let stop = StopSignal()
        return (clock, counter, stop, BackgroundThread(name: "test-poller") { poller.run(until: stop) })
    }

    @Test func runPollsUntilStoppedAndReportsEachPoll() throws {
        let server = try FakeHTTPServer { _ in .json(200, DstackClientTests.oneGPU) }
        defer { server.stop() }
        let (clock, counter, stop, thread) = try running(server, interval: .milliseconds(20))
        for waits in 1...3 {
            #expect(clock.awaitWaits(waits), "the poller waits for its interval")
            clock.advance(by: .milliseconds(20))
        }
        #expect(clock.awaitWaits(4))
        stop.stop()
        thread.join()
        #expect(counter.count >= 3)
    }

    /// The interval runs from the end of one poll to the start of the next: not a nanosecond earlier.
    @Test func runPollsExactlyOneIntervalAfterThePreviousPoll() throws {
        let server = try FakeHTTPServer { _ in .json(200, DstackClientTests.oneGPU) }
        defer { server.stop() }
        let (clock, counter, stop, thread) = try running(server, interval: .seconds(5))
        #expect(clock.awaitWaits(1))
        clock.advance(by: .seconds(5) - .nanoseconds(1))
        #expect(counter.count == 0, "the poller looked at the clock and kept waiting")
        clock.advance(by: .nanoseconds(1))
        #expect(clock.awaitWaits(2), "polled once and waits again")
        #expect(counter.count == 1)
        clock.advance(by: .seconds(4))
        #expect(counter.count == 1)
        clock.advance(by: .seconds(1))
        #expect(clock.awaitWaits(3))
        #expect(counter.count == 2)
        stop.stop()
        thread.join()
        #expect(counter.count == 2, "a stop ends the wait without another poll")
    }
}

final class FakeState: @unchecked Sendable {
    private let lock = NSLock()
    private var current: FakeReply = .json(200, DstackClientTests.oneGPU)

    func set(_ reply: FakeReply) {
        lock.lock()
        current = reply
        lock.unlock()
    }

    func reply() -> FakeReply {
        lock.lock()
        defer { lock.unlock() }
        return current
    }
}

/// The stack address of a local in each call of `record()`: how deep its caller runs.
final class StackDepths: @unchecked Sendable {
    private let lock = NSLock()
    private var addresses: [Int] = []

    func record() {
        var local = 0
        let address = withUnsafeMutablePointer(to: &local) { Int(bitPattern: $0) }
        lock.lock()
        addresses.append(address)
        lock.unlock()
    }

    var all: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return addresses
    }
}

/// What `onPoll` was told, in order.
final class PollCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var polls: [(PollOutcome, Double)] = []

    func add(_ outcome: PollOutcome, _ duration: Duration) {
        lock.lock()
        polls.append((outcome, duration.inSeconds))
        lock.unlock()
    }

    var all: [(outcome: PollOutcome, seconds: Double)] {
        lock.lock()
        defer { lock.unlock() }
        return polls.map { (outcome: $0.0, seconds: $0.1) }
    }

    var count: Int { all.count }
}

/// Issue 13: the poller's log under a hung VMM, and a poll our own shutdown cut short.
@Suite struct DstackPollerQuietTests {
    @Test(arguments: [
        ("Operation timed out after 10001 milliseconds with 0 bytes received",
         "Operation timed out after 10002 milliseconds with 0 bytes received"),
        ("Failed to connect to localhost port 19060 after 0 ms: Couldn't connect to server",
         "Failed to connect to localhost port 19060 after 3 ms: Couldn't connect to server"),
        ("Operation timed out after 300 milliseconds with 12 out of -1 bytes received",
         "Operation timed out after 301 milliseconds with 57 out of -1 bytes received"),
        ("Connection timed out after 5001 milliseconds", "Connection timed out after 5000 milliseconds"),
    ])
    func reasonsThatDifferOnlyInTimingCompareEqual(first: String, second: String) {
        #expect(first != second)
        let kind: HTTPClientError.Kind = first.contains("connect to") ? .connectionRefused : .timeout
        func failure(_ detail: String) -> DstackError {
            .transport(HTTPClientError(kind: kind, url: "http://localhost:19060/prpc/ListGpus?json", detail: detail))
        }
        #expect(failure(first).description != failure(second).description)
        #expect(DstackPoller.isSameFailure(failure(first), failure(second)))
    }

    @Test func otherDifferencesStillCount() {
        let url = "http://10.0.0.1:19060/prpc/ListGpus?json"
        #expect(DstackPoller.isSameFailure(.status(code: 400, message: "down"), .status(code: 400, message: "down")))
        #expect(!DstackPoller.isSameFailure(.status(code: 400, message: "down"), .status(code: 500, message: "down")))
        #expect(!DstackPoller.isSameFailure(.status(code: 400, message: "3 GPUs"), .status(code: 400, message: "4 GPUs")))
        #expect(
            !DstackPoller.isSameFailure(
                .transport(HTTPClientError(kind: .connectionRefused, url: url, detail: "after 0 ms")),
                .transport(HTTPClientError(kind: .timeout, url: url, detail: "after 0 ms"))))
        #expect(
            !DstackPoller.isSameFailure(
                .transport(HTTPClientError(kind: .connectionRefused, url: url, detail: "after 0 ms")),
                .status(code: 400, message: "after 0 ms")))
    }

    /// Against a real hung listener: several timed-out polls, one `Failed to connect to dstack` line.
    @Test func aHungVMMIsLoggedOnceNotOnEveryPoll() throws {
        let state = FakeState()
        state.set(.hang)
        let server = try FakeHTTPServer { _ in state.reply() }
        defer { server.stop() }
        let sink = CollectingSink()
        let client = DstackClient(
            endpoint: try DstackEndpoint.parse(server.baseURL), token: nil,
            http: HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: .milliseconds(150))))
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .seconds(1))
        let poller = DstackPoller(
            client: client, interval: .seconds(1), publisher: publisher, logger: Logger(level: .debug, sink: sink))
        var reasons: Set<String> = []
        for _ in 0..<6 {
            if case .unavailable(let reason) = poller.pollOnce() { reasons.insert(reason) }
        }
        #expect(reasons.allSatisfy { $0.contains("timed out") })
        let failures = sink.records.filter { $0.message.hasPrefix("Failed to connect to dstack: ") }
        #expect(failures.count == 1, "reasons seen: \(reasons)")
    }

    /// Issue 13: a VMM that takes 0.5 s per answer, polled every 0.1 s: /health was 503 (3 × 0.1 s stale)
    /// for most of every poll. With the threshold counting HTTP_TIMEOUT it never leaves 200.
    ///
    /// Each answer takes 0.5 s on the test clock, /health is read every 20 ms of it, during the answer
    /// and during the interval after it.
    @Test func aSlowButHealthyVMMNeverFlipsHealthTo503() throws {
        let clock = ManualClock()
        let seen = Mutex<[Int]>([])
        let publisher = HealthPublisher(
            pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .milliseconds(100), httpTimeout: .seconds(2),
            clock: clock)
        let server = try FakeHTTPServer { _ in
            for _ in 0..<25 {
                clock.advance(by: .milliseconds(20))
                // The first poll, before any snapshot, is Unavailable by design: "no poll has finished yet".
                guard publisher.latestSnapshot != nil else { continue }
                let status = publisher.current().status
                seen.withLock { $0.append(status) }
            }
            return .json(200, DstackClientTests.oneGPU)
        }
        defer { server.stop() }
        let client = DstackClient(
            endpoint: try DstackEndpoint.parse(server.baseURL), token: nil,
            http: HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: .seconds(2))))
        let poller = DstackPoller(
            client: client, interval: .milliseconds(100), publisher: publisher, logger: .silent)
        poller.pollOnce()
        let stop = StopSignal()
        let thread = BackgroundThread(name: "test-slow-vmm-poller") { poller.run(until: stop) }
        for waits in 1...2 {
            #expect(clock.awaitWaits(waits))
            for _ in 0..<5 {
                clock.advance(by: .milliseconds(20))
                let status = publisher.current().status
                seen.withLock { $0.append(status) }
            }
        }
        #expect(clock.awaitWaits(3))
        stop.stop()
        thread.join()
        let statuses = seen.withLock { $0 }
        #expect(server.requests.count >= 2)
        #expect(statuses.allSatisfy { $0 == 200 }, "503s seen: \(statuses.filter { $0 != 200 }.count)")
    }

    /// SIGTERM during a hung poll: the abandoned request is not the VMM's fault, so /health keeps the
    /// last real answer, nothing is logged and `onPoll` (the metrics) does not count a failure.
    @Test func aPollCancelledByShutdownIsNeitherPublishedLoggedNorCounted() throws {
        let state = FakeState()
        let server = try FakeHTTPServer { _ in state.reply() }
        defer { server.stop() }
        let stop = StopSignal()
        let sink = CollectingSink()
        let client = DstackClient(
            endpoint: try DstackEndpoint.parse(server.baseURL), token: nil,
            http: HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: .seconds(20)), cancellation: stop))
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .seconds(1))
        let reports = PollCounter()
        let poller = DstackPoller(
            client: client, interval: .seconds(1), publisher: publisher, logger: Logger(level: .debug, sink: sink)
        ) { reports.add($0, $1) }
        poller.pollOnce()
        #expect(publisher.current().status == 200)
        let before = publisher.latestSnapshot
        state.set(.hang)
        let thread = BackgroundThread(name: "test-cancelled-poll") { poller.pollOnce() }
        // The hung request has reached the VMM: the poll is in flight.
        #expect(eventually { server.requests.count >= 2 })
        stop.stop()
        #expect(thread.join(timeout: .seconds(5)))
        #expect(publisher.latestSnapshot === before)
        #expect(publisher.current().status == 200)
        #expect(reports.count == 1)
        #expect(sink.records.filter { $0.message.hasPrefix("Failed to connect to dstack") }.isEmpty)
    }
}

extension DstackPollerTests {
    /// A VMM that is not reachable yet when the daemon starts has not recovered when it first answers: that is
    /// "dstack is available" with how long start-up waited, never "available again" with an outage.
    @Test func theFirstAnswerAfterFailingStartUpPollsIsAvailableNotARecovery() throws {
        let state = FakeState()
        state.set(.json(400, #"{"error":"not yet"}"#))
        let server = try FakeHTTPServer { _ in state.reply() }
        defer { server.stop() }
        let sink = CollectingSink()
        let clock = ManualClock()
        let (poller, _) = try poller(server, sink: sink, clock: clock)
        poller.pollOnce()
        clock.advance(by: .seconds(5))
        poller.pollOnce()
        state.set(.json(200, DstackClientTests.oneGPU))
        poller.pollOnce()
        #expect(sink.records(withMessage: "dstack is available again").isEmpty, "\(sink.records.map(\.message))")
        let available = sink.records(withMessage: "dstack is available")
        #expect(available.count == 1, "\(sink.records.map(\.message))")
        #expect(available.first?.field("waited") == "5s")
        #expect(available.first?.field("waited.seconds") == "5")
        #expect(available.first?.field("gpus") == "1")
        #expect(available.first?.field("dstack.url") == server.baseURL)
        #expect(available.first?.field("outage.duration") == nil)

        // A real outage after that is a recovery again.
        state.set(.json(400, #"{"error":"down"}"#))
        poller.pollOnce()
        clock.advance(by: .seconds(3))
        state.set(.json(200, DstackClientTests.oneGPU))
        poller.pollOnce()
        let again = sink.records(withMessage: "dstack is available again")
        #expect(again.count == 1)
        #expect(again.first?.field("outage.duration") == "3s")
        #expect(sink.records(withMessage: "dstack is available").count == 1)
    }
}
