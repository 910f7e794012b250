/// Why a document is not JSON, and where.
public struct JSONParseError: Error, Equatable, CustomStringConvertible, Sendable {
    let message: String
    /// Byte offset of the problem in the input.
    let offset: Int

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

/// Checks that bytes are one strict RFC 8259 document within the size and depth limits, without building it.
///
/// `JSONDecoder` reads only the values a type asks for and forgives what it skips (trailing commas, `01`,
/// raw control characters in strings, bad escapes), and refuses deep nesting only past 512 levels. This
/// recognizer runs first so every peer's JSON meets one strict grammar: no recursion (a 200,000-deep document
/// costs one pass), no allocation beyond a stack of at most `maximumDepth` container marks.
enum JSONSyntax {
    /// How deep arrays and objects may nest before a document is refused.
    static let maximumDepth = 64
    /// The largest document accepted, in bytes: the HTTP client's cap on any answer (1 MiB).
    static let maximumSize = 1 << 20

    static func validate(_ bytes: [UInt8]) throws(JSONParseError) {
        guard bytes.count <= maximumSize else {
            throw JSONParseError(message: "the document is \(bytes.count) bytes, over the \(maximumSize)-byte limit", offset: maximumSize)
        }
        var scanner = Scanner(bytes: bytes)
        try scanner.document()
    }

    /// Whether `text` is exactly one JSON number (RFC 8259's grammar).
    static func isNumber(_ text: String) -> Bool {
        var scanner = Scanner(bytes: Array(text.utf8))
        guard !scanner.bytes.isEmpty, (try? scanner.number()) != nil else { return false }
        return scanner.index == scanner.bytes.count
    }

    private struct Scanner {
        /// What may come next.
        enum Expectation {
            case value
            /// Just after `[`: a value or `]`.
            case valueOrEnd
            /// Just after `{`: a member name or `}`.
            case nameOrEnd
            /// Just after `,` in an object.
            case name
            case colon
            /// After a complete value: `,` or the container's end, or the end of the document.
            case separatorOrEnd
        }

        let bytes: [UInt8]
        var index = 0
        /// `[` or `{` for each open container, innermost last.
        var open: [UInt8] = []

        func fail(_ message: String) -> JSONParseError {
            JSONParseError(message: message, offset: index)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d { index += 1 }
        }

        mutating func document() throws(JSONParseError) {
            open.reserveCapacity(maximumDepth)
            skipWhitespace()
            if index == bytes.count { throw fail("empty document") }
            var expectation = Expectation.value
            while true {
                skipWhitespace()
                guard let c = current else {
                    if expectation == .separatorOrEnd && open.isEmpty { return }
                    throw fail("unexpected end of input")
                }
                switch expectation {
                case .value, .valueOrEnd:
                    if expectation == .valueOrEnd && c == UInt8(ascii: "]") {
                        close()
                        expectation = .separatorOrEnd
                    } else {
                        expectation = try value(startingWith: c)
                    }
                case .nameOrEnd, .name:
                    if expectation == .nameOrEnd && c == UInt8(ascii: "}") {
                        close()
                        expectation = .separatorOrEnd
                    } else {
                        guard c == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                        try string()
                        expectation = .colon
                    }
                case .colon:
                    guard c == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    index += 1
                    expectation = .value
                case .separatorOrEnd:
                    guard let container = open.last else { throw fail("unexpected data after the document") }
                    let end = container == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
                    if c == UInt8(ascii: ",") {
                        index += 1
                        expectation = container == UInt8(ascii: "[") ? .value : .name
                    } else if c == end {
                        close()
                    } else {
                        throw fail(container == UInt8(ascii: "[") ? "expected ',' or ']'" : "expected ',' or '}'")
                    }
                }
            }
        }

        /// Reads a scalar value whole, or opens a container; says what may follow.
        mutating func value(startingWith c: UInt8) throws(JSONParseError) -> Expectation {
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard open.count < maximumDepth else { throw fail("nested deeper than \(maximumDepth) levels") }
                open.append(c)
                index += 1
                return c == UInt8(ascii: "[") ? .valueOrEnd : .nameOrEnd
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail("unexpected character")
            }
            return .separatorOrEnd
        }

        mutating func close() {
            open.removeLast()
            index += 1
        }

        mutating func literal(_ word: StaticString) throws(JSONParseError) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw fail("unexpected end of input") }
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
            for offset in 0..<count where bytes[index + offset] != expected[offset] {
                throw fail("invalid literal")
            }
            index += count
        }

        func isDigit(_ c: UInt8?) -> Bool { c.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }

        func isHexDigit(_ c: UInt8) -> Bool {
            isDigit(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c | 0x20)
        }

        mutating func digits() {
            while isDigit(current) { index += 1 }
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() throws(JSONParseError) {
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current else { throw fail("unexpected end of input") }
            if first == UInt8(ascii: "0") {
                index += 1
            } else if isDigit(first) {
                digits()
            } else {
                throw fail("invalid number")
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard isDigit(current) else { throw fail("invalid number") }
                digits()
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard isDigit(current) else { throw fail("invalid number") }
                digits()
            }
        }

        mutating func string() throws(JSONParseError) {
            index += 1
            while true {
                guard let c = current else { throw fail("unterminated string") }
                switch c {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case 0..<0x20:
                    throw fail("control character in string")
                case UInt8(ascii: "\\"):
                    index += 1
                    try escape()
                case 0x80...:
                    guard let length = utf8SequenceLength() else { throw fail("invalid UTF-8 in string") }
                    index += length
                default:
                    index += 1
                }
            }
        }

        /// After a backslash: one of `" \ / b f n r t`, or `u` and four hex digits.
        mutating func escape() throws(JSONParseError) {
            guard let c = current else { throw fail("unterminated string") }
            index += 1
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                return
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count else { throw fail("unexpected end of input in \\u escape") }
                for _ in 0..<4 {
                    guard isHexDigit(bytes[index]) else { throw fail("invalid \\u escape") }
                    index += 1
                }
            default:
                index -= 1
                throw fail("invalid escape")
            }
        }

        /// The length of the well-formed UTF-8 sequence at `index` (Unicode table 3-7), or nil.
        func utf8SequenceLength() -> Int? {
            let lead = bytes[index]
            let second: ClosedRange<UInt8>
            let length: Int
            switch lead {
            case 0xc2...0xdf: (second, length) = (0x80...0xbf, 2)
            case 0xe0: (second, length) = (0xa0...0xbf, 3)
            case 0xe1...0xec, 0xee...0xef: (second, length) = (0x80...0xbf, 3)
            case 0xed: (second, length) = (0x80...0x9f, 3)
            case 0xf0: (second, length) = (0x90...0xbf, 4)
            case 0xf1...0xf3: (second, length) = (0x80...0xbf, 4)
            case 0xf4: (second, length) = (0x80...0x8f, 4)
            default: return nil
            }
            guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { return nil }
            for offset in 2..<length where !(0x80...0xbf).contains(bytes[index + offset]) {
                return nil
            }
            return length
        }
    }
}
