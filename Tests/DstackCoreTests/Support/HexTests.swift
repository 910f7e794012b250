import Testing

@testable import DstackCore

@Suite("Hex")
struct HexTests {
    @Test func encodesLowerCaseAsTextAndAsBytes() {
        let bytes: [UInt8] = [0x00, 0x0f, 0xa0, 0xff, 0x7e]
        #expect(Hex.encode(bytes) == "000fa0ff7e")
        #expect(Hex.encodedBytes(bytes) == Array("000fa0ff7e".utf8))
        #expect(Hex.encode([UInt8]()) == "")
    }

    @Test func decodesEitherCaseAndRefusesOddLengthOrNonHex() {
        #expect(Hex.decode("00Ff7e") == [0x00, 0xff, 0x7e])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("0g") == nil)
        #expect(Hex.decode(Hex.encode([1, 2, 254])) == [1, 2, 254])
        #expect(Hex.decode(Array("00Ff7e".utf8)[2...]) == [0xff, 0x7e])
        #expect(Hex.decode(Array("0x".utf8)) == nil)
    }

    @Test func writesUnicodeEscapesWithFourLowerCaseDigits() {
        #expect(Hex.unicodeEscape(0x0001) == Array("\\u0001".utf8))
        #expect(Hex.unicodeEscape(0x202e) == Array("\\u202e".utf8))
        #expect(Hex.unicodeEscape(0xdc00) == Array("\\udc00".utf8))
    }

    @Test func tellsLowerCaseHexFromAnythingElse() {
        #expect(Hex.isLowerCase("0123456789abcdef"))
        #expect(Hex.isLowerCase(""))
        #expect(!Hex.isLowerCase("0123456789abcdeF"))
        #expect(!Hex.isLowerCase("12g4"))
        #expect(!Hex.isLowerCase("12 4"))
    }
}
