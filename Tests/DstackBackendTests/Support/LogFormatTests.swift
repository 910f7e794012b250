import Foundation
import Testing
@testable import DstackBackend
@testable import DstackCore

@Suite struct LogFormatTests {
    let record = LogRecord(
        timestamp: 1_795_416_294.25, level: .warn, message: "Registry request failed, retrying",
        fields: [("reason", "connection refused (http://r:9000)"), ("attempt", "2")])

    @Test func textIsOneLineWithAnRFC3339TimestampAndTheLevel() {
        let line = record.formatted(.text)
        #expect(line == #"2026-11-23T06:44:54.250000Z  WARN Registry request failed, retrying reason="connection refused (http://r:9000)" attempt=2"#)
        #expect(!line.contains("\n"))
    }

    @Test func jsonIsOneObjectWithTsLevelMsgAndFields() throws {
        let line = record.formatted(.json)
        #expect(!line.contains("\n"))
        #expect(line == #"{"ts":"2026-11-23T06:44:54.250000Z","level":"warn","msg":"Registry request failed, retrying","reason":"connection refused (http://r:9000)","attempt":2}"#)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["attempt"] as? Int == 2)
        #expect(object["reason"] as? String == "connection refused (http://r:9000)")
    }

    @Test func jsonNumbersAndBooleansAreTypedAndEverythingElseStaysAString() throws {
        let record = LogRecord(
            timestamp: 0, level: .info, message: "m",
            fields: [
                ("gpus", "8"), ("duration_ms", "12"), ("allow_attach_all", "true"), ("poller.done", "false"),
                ("value", "4096"), ("pubkey", "1234"), ("status", "not a number"), ("gpus.free", "007"),
                ("down_for.seconds", "1e3"), ("attempt", "-"),
            ])
        let line = record.formatted(.json)
        #expect(line.hasSuffix(#","gpus":8,"duration_ms":12,"allow_attach_all":true,"poller.done":false,"value":"4096","pubkey":"1234","status":"not a number","gpus.free":"007","down_for.seconds":1e3,"attempt":"-"}"#), "\(line)")
        #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        for bad in ["", "-", "01", "1.", ".5", "1e", "nan", "inf", "0x10", "1 ", String(repeating: "9", count: 33)] {
            #expect(!LogRecord.isJSONNumber(bad), "\(bad)")
        }
        for good in ["0", "-0", "12", "1.5", "-2.25e-3", "1E+9"] {
            #expect(LogRecord.isJSONNumber(good), "\(good)")
        }
    }

    /// The connection-cap line's limits are JSON numbers (an unlimited limit stays the string "unlimited").
    @Test func connectionCapFieldsAreJSONNumbers() throws {
        let sink = CollectingSink()
        _ = DescriptorLimit.prepare(configuredMaxConnections: 64, logger: Logger(sink: sink))
        let record = try #require(sink.records.first { $0.message.hasPrefix("Connection cap") })
        let line = record.formatted(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        for key in ["max_connections", "max_connections.configured", "nofile.reserve", "nofile.soft", "nofile.hard"] {
            if record.field(key) == "unlimited" { continue }
            #expect(object[key] is NSNumber, "\(key) in \(line)")
            #expect(line.contains("\"\(key)\":\(record.field(key) ?? "?")"), "\(key) in \(line)")
        }
        let typed = LogRecord(timestamp: 0, level: .info, message: "m", fields: [("registry.minted", "true")])
        #expect(typed.formatted(.json).hasSuffix(#","registry.minted":true}"#))
    }

    @Test func levelThresholdDropsMoreVerboseRecords() {
        let sink = CollectingSink()
        let logger = Logger(level: .warn, sink: sink)
        logger.debug("d")
        logger.info("i")
        logger.warn("w")
        logger.error("e")
        #expect(sink.records.map(\.message) == ["w", "e"])
        #expect(LogLevel(name: "WARNING") == .warn)
        #expect(LogLevel(name: "verbose") == nil)
    }

    @Test func serverBoundsComeFromTheirSettings() throws {
        let configuration = try Configuration.resolve(
            environment: [
                "REGISTRY_URL": "http://r", "OWNER_ADDRESS": "0x3e5e9111ae8eb78fe1cc3bb8915d5d461f3ef9a9",
                "MAX_HEADER_COUNT": "17", "MAX_BUFFERED_OUTPUT_BYTES": "1024", "MAX_CONNECTIONS": "9",
                "IDLE_TIMEOUT": "3s", "REQUEST_TIMEOUT": "1500ms", "MAX_HEADER_BYTES": "2048",
            ],
            flags: ["MAX_BODY_BYTES": "10"])
        let limits = configuration.serverLimits
        #expect(limits.maxHeaderCount == 17)
        #expect(limits.maxBufferedOutputBytes == 1024)
        #expect(limits.maxConnections == 9)
        #expect(limits.idleTimeout == .seconds(3))
        #expect(limits.requestTimeout == .milliseconds(1500))
        #expect(limits.maxHeaderBytes == 2048)
        #expect(limits.maxBodyBytes == 10)
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.resolve(
                environment: ["REGISTRY_URL": "http://r", "OWNER_ADDRESS": "0x3e5e9111ae8eb78fe1cc3bb8915d5d461f3ef9a9", "MAX_HEADER_COUNT": "0"],
                flags: [:])
        }
        #expect(error?.lines.first?.contains("MAX_HEADER_COUNT") == true)
    }
}
