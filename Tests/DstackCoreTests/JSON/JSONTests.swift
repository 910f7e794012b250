import Testing
@testable import DstackCore

@Suite struct JSONTests {
    /// Any document: decodes nothing, so only `JSONDocument`'s own checks can refuse it.
    struct AnyDocument: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    /// A number, a boolean or null.
    enum Scalar: Decodable, Equatable {
        case number(Double), bool(Bool), null

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() {
                self = .null
            } else if let flag = try? value.decode(Bool.self) {
                self = .bool(flag)
            } else {
                self = .number(try value.decode(Double.self))
            }
        }
    }

    struct Sample: Decodable {
        let a: [Scalar]
        let s: String
    }

    static func refusal(_ text: String) -> JSONDecodeError? {
        refusal(Array(text.utf8))
    }

    static func refusal(_ bytes: [UInt8]) -> JSONDecodeError? {
        #expect(throws: JSONDecodeError.self) { try JSONDocument.decode(AnyDocument.self, from: bytes) }
    }

    @Test func writesPythonCompatibleEscapes() {
        #expect(JSONWriter.quoted("a\"b\\c\n\r\t\u{08}\u{0c}\u{01}\u{7f}é😀/") == #""a\"b\\c\n\r\t\b\f\u0001\u007f\u00e9\ud83d\ude00/""#)
    }

    @Test func parsesAndRoundTripsEscapes() throws {
        let value = try JSONDocument.decode(Sample.self, from: Array(#"{"a":[1,-2.5e3,true,false,null],"s":"\u00e9\ud83d\ude00\n"}"#.utf8))
        #expect(value.a.count == 5)
        #expect(value.a == [.number(1), .number(-2500), .bool(true), .bool(false), .null])
        #expect(value.s == "é😀\n")
    }

    /// Including what `JSONDecoder` alone lets through when it skips a value: trailing commas, `01`, raw
    /// control characters and bad escapes in strings.
    @Test func refusesTruncatedAndGarbage() {
        for text in [
            "", "{", "{\"a\":", "[1,]", "nul", "{\"a\" 1}", "\"abc", "01", "[1] x", "{\"a\":\u{01}}",
            "{\"a\":1,}", "{\"a\":01}", "[1.]", "[-]", "[1e]", "[\"\\x\"]", "[\"a\u{01}\"]", "\u{feff}[1]", "[1}",
        ] {
            guard case .syntax = Self.refusal(text) else {
                Issue.record("\(text.debugDescription) must be refused as not JSON")
                continue
            }
        }
    }

    @Test func refusesDeepNesting() {
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(Self.refusal(text) != nil)
    }

    /// 200,000 levels cost one pass and no stack: the first level past the limit is refused, by offset.
    @Test func refusesVeryDeepNestingCleanly() {
        let depth = 200_000
        for open in ["[", "{\"a\":"] {
            let text = String(repeating: open, count: depth)
            let error = Self.refusal(text)
            #expect(error?.description == "invalid JSON at byte \(JSONSyntax.maximumDepth * open.utf8.count): nested deeper than 64 levels")
        }
        let deepest = String(repeating: "[", count: JSONSyntax.maximumDepth) + String(repeating: "]", count: JSONSyntax.maximumDepth)
        #expect(throws: Never.self) { try JSONDocument.decode(AnyDocument.self, from: Array(deepest.utf8)) }
    }

    @Test func refusesADocumentOverTheSizeLimit() {
        let text = "[" + String(repeating: "0,", count: JSONSyntax.maximumSize / 2) + "0]"
        let error = Self.refusal(text)
        #expect(error?.description.contains("over the 1048576-byte limit") == true, "\(String(describing: error))")
    }

    @Test func refusesInvalidUTF8InStrings() {
        for bad: [UInt8] in [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]] {
            let error = Self.refusal(Array(#"{"s":""#.utf8) + bad + Array(#""}"#.utf8))
            #expect(error?.description == "invalid JSON at byte 6: invalid UTF-8 in string", "\(bad)")
        }
        #expect(throws: Never.self) { try JSONDocument.decode(AnyDocument.self, from: Array(#"{"s":"é€😀"}"#.utf8)) }
    }

    /// `JSONDecoder` reads the first of duplicate members (the old parser read the last); RFC 8259 leaves
    /// it open, and the choice is pinned here so a change shows.
    @Test func readsTheFirstOfDuplicateMembers() throws {
        let value = try JSONDocument.decode(Sample.self, from: Array(#"{"a":[],"s":"first","s":"second"}"#.utf8))
        #expect(value.s == "first")
    }

    @Test func namesTheMemberOfTheWrongKind() {
        let cases: [(String, JSONDecodeError)] = [
            (#"{"a":[1,"x"],"s":""}"#, .wrongKind(path: "a[1]", expected: .number, found: .string)),
            (#"{"a":[],"s":null}"#, .wrongKind(path: "s", expected: .string, found: .null)),
            (#"{"a":{},"s":""}"#, .wrongKind(path: "a", expected: .array, found: .object)),
            (#"{"a":[]}"#, .missing(path: "s")),
            (#"[]"#, .wrongKind(path: "", expected: .object, found: .array)),
            // Every kind JSONDecoder can report finding, so a change in its wording shows.
            (#"{"a":[],"s":1}"#, .wrongKind(path: "s", expected: .string, found: .number)),
            (#"{"a":[],"s":true}"#, .wrongKind(path: "s", expected: .string, found: .boolean)),
            (#"{"a":[],"s":{}}"#, .wrongKind(path: "s", expected: .string, found: .object)),
            (#"{"a":"x","s":""}"#, .wrongKind(path: "a", expected: .array, found: .string)),
            (#"{"a":null,"s":""}"#, .wrongKind(path: "a", expected: .array, found: .null)),
            (#""s""#, .wrongKind(path: "", expected: .object, found: .string)),
            (#"3"#, .wrongKind(path: "", expected: .object, found: .number)),
            (#"null"#, .wrongKind(path: "", expected: .object, found: .null)),
        ]
        for (text, expected) in cases {
            #expect(throws: expected) { try JSONDocument.decode(Sample.self, from: Array(text.utf8)) }
        }
        #expect(JSONDecodeError.wrongKind(path: "", expected: .object, found: .array).description == "the document must be an object, got an array")
    }

    /// The old parser read a lone surrogate escape as U+FFFD; `JSONDecoder` refuses the document, and the
    /// error says what to look for (JSONDecoder gives no path for it).
    @Test func saysWhatJSONDecoderCouldNotRead() {
        for text in [#"{"a":[],"s":"\ud83d"}"#, #"{"a":[1e999],"s":""}"#] {
            let error = #expect(throws: JSONDecodeError.self) { try JSONDocument.decode(Sample.self, from: Array(text.utf8)) }
            #expect(error?.description == #"the document cannot be read: a string with a lone surrogate escape (\ud800-\udfff), or a number beyond its type's range"#)
        }
    }

    /// JSONWriter's form escapes all but printable ASCII; NIP-01's keeps UTF-8 and escapes only controls.
    @Test func escapesForBothStyles() {
        let text = "a\"\\\n\r\t\u{08}\u{0c}\u{01}\u{1f}\u{7f}é😀/"
        var ascii: [UInt8] = []
        JSONString.append(text, style: .asciiOnly, to: &ascii)
        #expect(String(decoding: ascii, as: UTF8.self) == #""a\"\\\n\r\t\b\f\u0001\u001f\u007f\u00e9\ud83d\ude00/""#)
        var utf8: [UInt8] = []
        JSONString.append(text, style: .utf8, to: &utf8)
        #expect(String(decoding: utf8, as: UTF8.self) == #""a\"\\\n\r\t\b\f\u0001\u001f"# + "\u{7f}é😀/\"")
    }

    @Test func recognisesJSONNumbers() {
        for text in ["0", "-0", "12", "1.5", "-2.5e3", "1E+2"] { #expect(JSONSyntax.isNumber(text), "\(text)") }
        for text in ["", "01", "1.", ".5", "+1", "1e", "-", "0x10", "1 "] { #expect(!JSONSyntax.isNumber(text), "\(text)") }
    }
}
