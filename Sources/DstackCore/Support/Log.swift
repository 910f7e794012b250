#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials
import Synchronization

/// How much the daemon says: `LOG_LEVEL`.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case error = 0, warn, info, debug

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses `error|warn|info|debug` (also `warning`), any case.
    public init?(name: String) {
        switch name.lowercased() {
        case "error": self = .error
        case "warn", "warning": self = .warn
        case "info": self = .info
        case "debug": self = .debug
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .error: "error"
        case .warn: "warn"
        case .info: "info"
        case .debug: "debug"
        }
    }

    /// Upper-case, padded like Rust's tracing output (` INFO`, ` WARN`, `ERROR`, `DEBUG`).
    var paddedLabel: String {
        switch self {
        case .error: "ERROR"
        case .warn: " WARN"
        case .info: " INFO"
        case .debug: "DEBUG"
        }
    }
}

/// How log lines look: `LOG_FORMAT`.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-11-23T05:16:16.123456Z  INFO message key=value`, like the reference's tracing output.
    case text
    /// One JSON object per line with `ts`, `level`, `msg` and the fields.
    case json
}

/// One log event: a fixed message and its values as fields.
public struct LogRecord: Sendable, Equatable {
    var timestamp: Double
    public var level: LogLevel
    public var message: String
    public var fields: [(String, String)]

    public static func == (lhs: LogRecord, rhs: LogRecord) -> Bool {
        lhs.level == rhs.level && lhs.message == rhs.message
            && lhs.fields.map { $0.0 } == rhs.fields.map { $0.0 }
            && lhs.fields.map { $0.1 } == rhs.fields.map { $0.1 }
    }

    public func field(_ key: String) -> String? {
        fields.first { $0.0 == key }?.1
    }

    /// The record as one line in `format`, without the trailing newline.
    public func formatted(_ format: LogFormat) -> String {
        switch format {
        case .text:
            // A message may quote a peer (`Failed to connect to dstack: <reason>`): escape what could split
            // or disguise the line. Field values are quoted and escaped below.
            var line = Self.rfc3339(timestamp) + " " + level.paddedLabel + " " + PeerText.escaped(message)
            for (key, value) in fields {
                line += " " + key + "=" + Self.quotedIfNeeded(value)
            }
            return line
        case .json:
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("ts")
            writer.string(Self.rfc3339(timestamp))
            writer.key("level")
            writer.string(level.name)
            writer.key("msg")
            writer.string(message)
            for (key, value) in fields {
                writer.key(key)
                Self.writeJSONValue(value, key: key, to: &writer)
            }
            writer.endObject()
            return writer.text
        }
    }

    /// Fields whose values are JSON numbers in `LOG_FORMAT=json` (counts, statuses, durations). A key is
    /// always one type, so log pipelines can map it; add a key here when a new field is a number.
    static let numberFields: Set<String> = [
        "gpus", "gpus.free", "gpus.before", "gpus.free.before", "attempt", "registry.status", "status",
        "duration_ms", "outage.seconds", "down_for.seconds", "waited.seconds", "max_connections", "max_connections.configured",
        "nofile.reserve", "creator.pid", "nofile.soft", "nofile.hard",
    ]
    /// Fields whose values are JSON booleans in `LOG_FORMAT=json`.
    static let booleanFields: Set<String> = [
        "allow_attach_all", "poller.done", "recheck.done", "creator.running", "registry.minted",
    ]

    /// `value` as a JSON number or boolean when `key` is one of those and the text is one; else a string.
    private static func writeJSONValue(_ value: String, key: String, to writer: inout JSONWriter) {
        if booleanFields.contains(key), value == "true" || value == "false" {
            writer.bool(value == "true")
        } else if numberFields.contains(key), isJSONNumber(value) {
            writer.raw(value)
        } else {
            writer.string(value)
        }
    }

    /// RFC 8259's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, at most 32 bytes.
    static func isJSONNumber(_ text: String) -> Bool {
        text.utf8.count <= 32 && JSONSyntax.isNumber(text)
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        let plain = !value.isEmpty && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") }
        return plain ? value : JSONWriter.quoted(value)
    }
}

/// Where records go. The daemon writes to stderr; tests collect them.
public protocol LogSink: Sendable {
    func write(_ record: LogRecord)
}

/// Writes each record as one line to standard error with a single `write(2)`.
public struct StandardErrorSink: LogSink {
    let format: LogFormat

    public init(format: LogFormat) {
        self.format = format
    }

    public func write(_ record: LogRecord) {
        var line = record.formatted(format)
        line += "\n"
        line.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = try? retryingEINTR("write") {
                    Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                }
                guard let written else { return }
                offset += written
            }
        }
    }
}

/// Keeps records in memory; for tests and for the `check` report.
public final class CollectingSink: LogSink {
    private let storage = Mutex<[LogRecord]>([])

    public init() {}

    public func write(_ record: LogRecord) {
        storage.withLock { $0.append(record) }
    }

    public var records: [LogRecord] {
        storage.withLock { $0 }
    }

    public func records(withMessage message: String) -> [LogRecord] {
        records.filter { $0.message == message }
    }
}

/// A small structured logger: fixed messages, values in fields, a level threshold and a sink.
///
/// Never pass the secret key as a field: nothing here could tell it apart.
public struct Logger: Sendable {
    var level: LogLevel
    var sink: any LogSink

    public init(level: LogLevel = .info, sink: any LogSink = StandardErrorSink(format: .text)) {
        self.level = level
        self.sink = sink
    }

    /// A logger that drops everything.
    public static var silent: Logger {
        Logger(level: .error, sink: DiscardingSink())
    }

    public func log(_ level: LogLevel, _ message: String, _ fields: [(String, String)]) {
        guard level <= self.level else { return }
        sink.write(LogRecord(timestamp: Date.now.timeIntervalSince1970, level: level, message: message, fields: fields))
    }

    public func error(_ message: String, _ fields: (String, String)...) { log(.error, message, fields) }
    public func warn(_ message: String, _ fields: (String, String)...) { log(.warn, message, fields) }
    public func info(_ message: String, _ fields: (String, String)...) { log(.info, message, fields) }
    public func debug(_ message: String, _ fields: (String, String)...) { log(.debug, message, fields) }
}

struct DiscardingSink: LogSink {
    func write(_ record: LogRecord) {}
}
