#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LogRecord {
    /// `seconds` since the Unix epoch as an RFC 3339 UTC timestamp with microseconds, e.g.
    /// `2026-11-23T05:16:16.123456Z` (like Rust's tracing, which the reference backend logs with).
    static func rfc3339(_ seconds: Double) -> String {
        var whole = time_t(seconds.rounded(.down))
        let micros = Int((seconds - Double(whole)) * 1_000_000)
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let micro = String(micros)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
            + ".\(String(repeating: "0", count: max(0, 6 - micro.count)))\(micro)Z"
    }
}
