import Testing
@testable import DstackBackend
@testable import DstackCore

/// Issue 13: plain-text logs let U+2028, U+0085 and bidi overrides from a VMM or registry body through.
@Suite struct PeerTextTests {
    /// Every character a peer could use to split a log line or make it read differently.
    static let hostile: [Unicode.Scalar] = [
        "\u{2028}", "\u{2029}", "\u{85}", "\u{9b}", "\u{80}", "\u{9f}", "\u{202a}", "\u{202b}", "\u{202c}",
        "\u{202d}", "\u{202e}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{200e}", "\u{200f}", "\u{61c}",
        "\u{1b}", "\u{7f}", "\n", "\r",
    ]

    static func containsHostile(_ text: String) -> Bool {
        text.unicodeScalars.contains { hostile.contains($0) }
    }

    @Test func escapedLeavesNoHostileCharacterAndKeepsTheRest() {
        let text = "gpu " + String(String.UnicodeScalarView(Self.hostile)) + " é 中 ok"
        let escaped = PeerText.escaped(text)
        #expect(!Self.containsHostile(escaped))
        #expect(escaped.contains("\\u2028"))
        #expect(escaped.contains("\\u202e"))
        #expect(escaped.contains("\\u0085"))
        #expect(escaped.contains("\\n"))
        #expect(escaped.hasSuffix(" é 中 ok"))
        #expect(PeerText.escaped("plain text") == "plain text")
    }

    @Test func oneLineFoldsBreaksAndEscapesTheOthers() {
        #expect(PeerText.oneLine("a\u{2028}b\u{85}c\u{2029}\n d", limit: 300) == "a b c d")
        #expect(PeerText.oneLine("evil\u{202e}txt.exe", limit: 300) == "evil\\u202etxt.exe")
        #expect(PeerText.oneLine("x\u{9b}31m", limit: 300) == "x\\u009b31m")
        #expect(PeerText.oneLine("abcdef", limit: 3) == "abc…")
        #expect(PeerText.oneLine("ab\u{202e}", limit: 4) == "ab…")
    }

    /// The contract's line `Failed to connect to dstack: <reason>` carries the VMM's words in the message.
    @Test func aTextLogLineNeverCarriesAHostileCharacter() {
        let reason = "the VMM answered HTTP 400: ok\u{2028}2026-11-23T00:00:00Z  INFO dstack is available again\u{202e}"
        let record = LogRecord(
            timestamp: 0, level: .error, message: "Failed to connect to dstack: \(reason)",
            fields: [("reason", reason)])
        let line = record.formatted(.text)
        #expect(!Self.containsHostile(line))
        #expect(line.contains("ERROR Failed to connect to dstack: the VMM answered HTTP 400: ok\\u2028"))
        #expect(!Self.containsHostile(record.formatted(.json)))
    }

    @Test func aVMMErrorMessageIsFoldedAndEscapedIntoTheLogAndHealth() throws {
        let message = #"{"error":"lspci failed\u2028\u0085 0: \u202eexe.txt \u2066x\u2069"}"#
        let server = try FakeHTTPServer { _ in .json(400, message) }
        defer { server.stop() }
        let sink = CollectingSink()
        let publisher = HealthPublisher(pubkey: BackendInfoTests.pubkey, ipAddress: nil, pollInterval: .seconds(1))
        let poller = DstackPoller(
            client: DstackClient(endpoint: try DstackEndpoint.parse(server.baseURL), token: nil, http: HTTPClient()),
            interval: .seconds(1), publisher: publisher, logger: Logger(level: .info, sink: sink))
        poller.pollOnce()
        let lines = sink.records.map { $0.formatted(.text) }
        #expect(lines.count == 1)
        #expect(lines.allSatisfy { !Self.containsHostile($0) })
        #expect(lines.first?.hasSuffix("Failed to connect to dstack: the VMM is reachable but answered HTTP 400: lspci failed 0: \\u202eexe.txt \\u2066x\\u2069") == true)
        #expect(!Self.containsHostile(String(decoding: publisher.current().body, as: UTF8.self)))
    }

    @Test func aRegistryBodyIsEscapedTheSameWay() {
        let body = Array("denied\u{2028}\u{85}\u{202e}\n\u{1b}[31m".utf8)
        let printable = RegistryError.printableBody(body)
        #expect(!Self.containsHostile(printable))
        #expect(printable == "denied\\u2028\\u0085\\u202e\\n\\u001b[31m")
    }

    @Test func aPeersBytesAreRepairedCutAndEscapedInOnePlace() {
        let invalid: [UInt8] = [0x6f, 0x6b, 0xff, 0x0a, 0x21]
        #expect(PeerText.escaped(invalid, maximumBytes: 16) == "ok\u{FFFD}\\n!")
        #expect(PeerText.escaped(Array("abcdef".utf8), maximumBytes: 4) == "abcd... (6 bytes in all)")
        #expect(PeerText.oneLine(invalid, limit: 10) == "ok\u{FFFD} !")
        // Only 4 * limit bytes are decoded: the rest of a huge body is never looked at.
        let huge = Array(("abc" + String(repeating: " ", count: 20) + "tail").utf8)
        #expect(PeerText.oneLine(huge, limit: 4) == "abc")
        #expect(PeerText.oneLine(Array("a\u{2028}b".utf8), limit: 300) == "a b")
    }
}
