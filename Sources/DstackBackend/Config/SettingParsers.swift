/// Parsers for the plain value kinds settings use: durations, counts, switches, levels.
///
/// Each throws an `InvalidValue` that quotes the value and shows an accepted form. The bounds the duration and
/// count settings are checked against (`DurationBound`, `CountBound`) follow, each with why it is there.
public enum SettingParsers {
    /// A duration written `5`, `2.5` (seconds), `500ms`, `5s`, `2m` or `1h`; positive, finite, at most a year,
    /// and within `minimum` and `maximum` when given (their `why` says what a value past them would do).
    ///
    /// The one duration syntax: every setting and every command-line duration (`healthcheck --timeout`,
    /// `demo --poll-interval`) goes through it, so `nan`, `inf` and `1e300` are refused with a message.
    public static func duration(
        _ text: String, minimum: DurationBound? = nil, maximum: DurationBound? = nil
    ) throws(InvalidValue) -> Duration {
        let value = text.trimmingASCIIWhitespace().lowercased()
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(value)
        var scale = 1.0
        for unit in units where value.hasSuffix(unit.suffix) {
            number = value.dropLast(unit.suffix.count)
            scale = unit.seconds
            break
        }
        let plain = !number.isEmpty && number.allSatisfy { $0.isASCIIDigit || $0 == "." || $0 == "-" || $0 == "+" }
        guard plain, let amount = Double(number), amount.isFinite else {
            throw InvalidValue("\"\(text)\" is not a duration: use seconds such as 5 or 2.5, or 500ms, 5s, 2m")
        }
        let seconds = amount * scale
        guard seconds > 0 else {
            throw InvalidValue("\"\(text)\" must be greater than zero")
        }
        if let minimum, seconds < minimum.duration.inSeconds {
            throw InvalidValue(
                "\"\(text)\" is shorter than the minimum \(format(minimum.duration)): \(minimum.why);"
                    + " use \(format(minimum.duration)) or more")
        }
        if let maximum, seconds > maximum.duration.inSeconds {
            throw InvalidValue(
                "\"\(text)\" is longer than the maximum \(format(maximum.duration)): \(maximum.why);"
                    + " use \(format(maximum.duration)) or less")
        }
        guard seconds <= 86_400 * 365 else {
            throw InvalidValue("\"\(text)\" is longer than a year")
        }
        return .seconds(seconds)
    }

    /// A whole number from 1 to `maximum`, and at least `minimum` when given (its `why` says what a smaller
    /// value would do).
    static func positiveInteger(_ text: String, minimum: CountBound? = nil, maximum: Int) throws(InvalidValue) -> Int {
        let value = text.trimmingASCIIWhitespace()
        guard !value.isEmpty, value.allSatisfy({ $0.isASCIIDigit || $0 == "-" || $0 == "+" }), let number = Int(value)
        else {
            throw InvalidValue("\"\(text)\" is not a whole number")
        }
        guard number > 0 else {
            throw InvalidValue("\"\(text)\" must be greater than zero")
        }
        if let minimum, number < minimum.count {
            throw InvalidValue(
                "\"\(text)\" is smaller than the minimum \(minimum.count): \(minimum.why); use \(minimum.count) or more")
        }
        guard number <= maximum else {
            throw InvalidValue("\"\(text)\" is larger than the maximum \(maximum)")
        }
        return number
    }

    /// `duration` as a parser with these bounds, for the settings table.
    static func duration(minimum: DurationBound? = nil, maximum: DurationBound? = nil) -> (String) throws(InvalidValue)
        -> Duration
    {
        { text throws(InvalidValue) in try duration(text, minimum: minimum, maximum: maximum) }
    }

    /// `positiveInteger` as a parser with these bounds.
    static func count(minimum: CountBound? = nil, maximum: Int) -> (String) throws(InvalidValue) -> Int {
        { text throws(InvalidValue) in try positiveInteger(text, minimum: minimum, maximum: maximum) }
    }

    /// `true`/`false`, `1`/`0`, `yes`/`no`, any case.
    static func boolean(_ text: String) throws(InvalidValue) -> Bool {
        switch text.trimmingASCIIWhitespace().lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw InvalidValue("\"\(text)\" is not a switch: use true or false (also 1/0, yes/no)")
        }
    }

    static func logLevel(_ text: String) throws(InvalidValue) -> LogLevel {
        guard let level = LogLevel(name: text.trimmingASCIIWhitespace()) else {
            throw InvalidValue("\"\(text)\" is not a log level: use error, warn, info or debug")
        }
        return level
    }

    static func logFormat(_ text: String) throws(InvalidValue) -> LogFormat {
        guard let format = LogFormat(rawValue: text.trimmingASCIIWhitespace().lowercased()) else {
            throw InvalidValue("\"\(text)\" is not a log format: use text or json")
        }
        return format
    }

    /// An IPv4 or IPv6 literal (IPv6 without brackets; brackets are tolerated and removed).
    static func ipAddress(_ text: String) throws(InvalidValue) -> String {
        var value = text.trimmingASCIIWhitespace()
        if value.hasPrefix("[") && value.hasSuffix("]") {
            value = String(value.dropFirst().dropLast())
        }
        guard IPAddressText.isIPv4(value) || IPAddressText.isIPv6(value) else {
            throw InvalidValue("\"\(text)\" is not an IPv4 or IPv6 address, e.g. 203.0.113.7 or 2001:db8::7")
        }
        return value
    }

    /// A secret that goes into an HTTP header: printable ASCII without spaces. Never quoted in errors.
    static func headerToken(_ text: String) throws(InvalidValue) -> String {
        let value = text.trimmingASCIIWhitespace()
        guard value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw InvalidValue("contains spaces, control or non-ASCII characters; a bearer token cannot")
        }
        return value
    }

    /// A directory path without surrounding blanks (a stray space in `.env` is never meant); no NUL bytes.
    static func path(_ text: String) throws(InvalidValue) -> String {
        guard !text.utf8.contains(0) else {
            throw InvalidValue("contains a NUL byte")
        }
        return text.trimmingASCIIWhitespace()
    }

    /// A duration for logs and help, in seconds to the millisecond: `5s`, `2.5s`, `0.125s`.
    ///
    /// The one duration formatter: settings, back-off delays, staleness and ages all print this way.
    static func format(_ duration: Duration) -> String {
        let seconds = duration.inSeconds
        guard abs(seconds) < 1e12 else { return "\(seconds)s" }
        let milliseconds = duration.roundedMilliseconds
        let sign = milliseconds < 0 ? "-" : ""
        let whole = abs(milliseconds) / 1000
        let fraction = abs(milliseconds) % 1000
        guard fraction != 0 else { return "\(sign)\(whole)s" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(sign)\(whole).\(digits)s"
    }
}

/// The shortest or longest value a duration setting accepts, and why: `DSTACK_POLL_INTERVAL=1ms` would poll
/// the VMM a thousand times a second and fill the log with its failures, so it is refused at start-up.
public struct DurationBound: Sendable, Equatable {
    let duration: Duration
    /// What a value past the bound would do, for the configuration error.
    let why: String

    /// `DSTACK_POLL_INTERVAL` at least 100 ms. Each poll is a fresh HTTP request to the VMM.
    static let dstackPollInterval = DurationBound(
        duration: .milliseconds(100), why: "every poll is a request to the VMM, and a shorter interval only loads it")
    /// `REGISTRY_RECHECK_INTERVAL` at least 1 s. The registry is shared by the whole fleet.
    static let registryRecheckInterval = DurationBound(
        duration: .seconds(1), why: "every check is a request to the registry the whole fleet shares")
    /// `IDLE_TIMEOUT` at least 1 s: a new connection's first request, or a keep-alive client's next one, whose
    /// segment is lost arrives after TCP's retransmission timeout (at least 200 ms on Linux, 1 s before a round
    /// trip was measured, RFC 6298).
    static let idleTimeout = DurationBound(
        duration: .seconds(1),
        why: "a request whose first segment is lost arrives after TCP's retransmission timeout (up to 1s),"
            + " and the connection would be closed before it")
    /// `REQUEST_TIMEOUT` at least 1 s, for the same reason: a head split over two segments, one of them lost.
    static let requestTimeout = DurationBound(
        duration: .seconds(1),
        why: "a request split over two segments, one of them lost, completes after TCP's retransmission timeout"
            + " (up to 1s), and would be answered 408")
    /// `SHUTDOWN_GRACE` at most 8 s: compose (`stop_grace_period`) and the systemd unit (`TimeoutStopSec`) give
    /// the daemon 10 s to exit before SIGKILL, and it closes its listener and threads after the grace.
    static let shutdownGrace = DurationBound(
        duration: .seconds(8),
        why: "docker compose and the systemd unit kill the daemon 10s after asking it to stop")
}

/// The smallest value a count setting accepts, and why: `MAX_HEADER_BYTES=10` would answer every request,
/// `/health` included, with 431, so it is refused at start-up instead.
///
/// Each minimum is what a plain `GET /health` needs, with margin. The request measured is what curl or
/// dephy-worker sends with a long `Host` (a 253-byte name and a port) and a long `User-Agent` (256 bytes):
/// request line, `Host`, `User-Agent`, `Accept`, `Accept-Encoding`, about 620 bytes in 4 header lines.
struct CountBound: Sendable, Equatable {
    let count: Int
    /// What a value below the bound would do, for the configuration error.
    let why: String

    /// `MAX_HEADER_BYTES` at least 1024 (nginx's `client_header_buffer_size`).
    static let maxHeaderBytes = CountBound(
        count: 1024,
        why: "a GET /health with a long Host and User-Agent, as curl and dephy-worker send it, takes about 620"
            + " bytes, and a smaller limit answers it 431")
    /// `MAX_HEADER_COUNT` at least 8: curl sends 3 header lines, dephy-worker's HTTP client 2 to 4, Prometheus 5.
    static let maxHeaderCount = CountBound(
        count: 8,
        why: "curl, dephy-worker and Prometheus send 3 to 5 header lines, and a smaller limit answers them 431")
    /// `MAX_CONNECTIONS` at least 4: at the cap an idle connection makes room, but one in the middle of a
    /// request never does.
    static let maxConnections = CountBound(
        count: 4,
        why: "dephy-worker, the healthcheck, Prometheus and an operator's curl can each be in the middle of a"
            + " request at once, and a client finding no idle connection to replace is refused")
}
