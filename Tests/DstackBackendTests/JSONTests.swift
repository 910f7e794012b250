import Testing
@testable import DstackBackend

@Suite struct JSONTests {
    @Test func writesPythonCompatibleEscapes() {
        #expect(JSONWriter.quoted("a\"b\\c\n\r\t\u{08}\u{0c}\u{01}\u{7f}é😀/") == #""a\"b\\c\n\r\t\b\f\u0001\u007f\u00e9\ud83d\ude00/""#)
    }

    @Test func parsesAndRoundTripsEscapes() throws {
        let value = try JSONValue.parse(#"{"a":[1,-2.5e3,true,false,null],"s":"\u00e9\ud83d\ude00\n"}"#)
        #expect(value["a"]?.arrayValue?.count == 5)
        #expect(value["s"]?.stringValue == "é😀\n")
    }

    @Test func refusesTruncatedAndGarbage() {
        for text in ["", "{", "{\"a\":", "[1,]", "nul", "{\"a\" 1}", "\"abc", "01", "[1] x", "{\"a\":\u{01}}"] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        }
    }

    @Test func refusesDeepNesting() {
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }
}
