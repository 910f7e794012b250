/// Writes the Prometheus text exposition format 0.0.4.
///
/// Families are written whole (`# HELP`, `# TYPE`, then samples); label values are escaped (`\\`, `\"`, `\n`).
public struct PrometheusText: Sendable {
    public private(set) var text = ""

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public init() {}

    public enum Kind: String, Sendable { case counter, gauge, histogram }

    /// Starts a family: its HELP and TYPE lines.
    public mutating func family(_ name: String, _ kind: Kind, help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            text += labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",")
            text += "}"
        }
        text += " " + Self.format(value) + "\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int) {
        sample(name, labels, Double(value))
    }

    /// Numbers as Prometheus reads them: integers without a fraction, `+Inf`, `-Inf`, `NaN`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Label values escape `\\`, `\"` and newline; HELP text escapes only `\\` and newline.
    static func escapeLabel(_ value: String) -> String { escape(value, quotes: true) }

    static func escapeHelp(_ value: String) -> String { escape(value, quotes: false) }

    private static func escape(_ value: String, quotes: Bool) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"" where quotes: out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
