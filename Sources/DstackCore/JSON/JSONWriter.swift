/// Writes compact JSON byte-for-byte like Python's `json.dumps(value, separators=(",", ":"))`.
///
/// That means `ensure_ascii`: every character outside printable ASCII is a `\uXXXX` escape (lower-case hex,
/// surrogate pairs above U+FFFF), and `\n \r \t \b \f \" \\` use their short forms. dephy-worker and any
/// JSON parser read it the same; the fixed form makes golden tests exact. `JSONWriter(style: .utf8)` writes
/// strings as NIP-01's event serialization needs them instead.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]
    private let style: JSONString.Style

    public init(style: JSONString.Style = .asciiOnly) {
        self.style = style
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] {
            bytes.append(UInt8(ascii: ","))
        }
        needsComma[needsComma.count - 1] = true
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// An object key; the value written next belongs to it.
    public mutating func key(_ name: String) {
        separate()
        JSONString.append(name, style: style, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    public mutating func string(_ value: String) {
        separate()
        JSONString.append(value, style: style, to: &bytes)
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: Array("null".utf8))
    }

    public mutating func integer<T: BinaryInteger>(_ value: T) {
        separate()
        bytes.append(contentsOf: Array(String(value).utf8))
    }

    /// Raw, already-valid JSON (for numbers formatted elsewhere).
    mutating func raw(_ json: String) {
        separate()
        bytes.append(contentsOf: Array(json.utf8))
    }

    /// Appends `value` as a quoted JSON string with Python's `ensure_ascii` escaping.
    static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        JSONString.append(value, style: .asciiOnly, to: &out)
    }

    public static func quoted(_ value: String) -> String {
        var out = [UInt8]()
        appendEscaped(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
