import Testing
@testable import DstackBackend

@Suite struct Bech32Tests {
    static let nsec = "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"
    static let npub = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"
    static let npubHex = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"

    @Test func decodesTheNIP19SecretKeyPair() throws {
        let key = try NIP19.secretKey(nsec: Array(Self.nsec.utf8))
        let hex = key.withUnsafeBytes { Hex.encode($0) }
        #expect(hex == "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa")
        #expect(NIP19.encode(hrp: "nsec", bytes: Hex.decode(hex)!) == Self.nsec)
    }

    @Test func decodesAndEncodesTheNIP19PublicKeyPair() throws {
        #expect(Hex.encode(try NIP19.publicKey(npub: Self.npub)) == Self.npubHex)
        #expect(try PublicKey(hex: Self.npubHex).npub == Self.npub)
        #expect(Hex.encode(try NIP19.publicKey(npub: Self.npub.uppercased())) == Self.npubHex)
    }

    @Test func refusesABadChecksum() {
        var broken = Array(Self.npub.utf8)
        broken[10] = broken[10] == UInt8(ascii: "q") ? UInt8(ascii: "p") : UInt8(ascii: "q")
        #expect(throws: Bech32Error.badChecksum) { try NIP19.publicKey(npub: String(decoding: broken, as: UTF8.self)) }
    }

    @Test func refusesBech32mChecksums() {
        // The same payload with a bech32m checksum (constant 0x2bc830a3) must not pass as bech32.
        let data = try! Bech32.convertBits(Hex.decode(Self.npubHex)!, from: 8, to: 5, pad: true)
        let bech32 = Bech32.encode(hrp: "npub", data: data)
        #expect(bech32 == Self.npub)
        #expect(throws: Bech32Error.badChecksum) { try Bech32.decode(Array("a1lqfn3a".utf8)) }  // BIP-350 valid bech32m
    }

    @Test func refusesMixedCase() {
        let mixed = "NPUB" + Self.npub.dropFirst(4)
        #expect(throws: Bech32Error.mixedCase) { try NIP19.publicKey(npub: mixed) }
    }

    @Test func refusesInvalidCharacters() {
        // 'b', 'i', 'o' and '1' are not in the bech32 data alphabet.
        let withB = Self.npub.prefix(20) + "b" + Self.npub.dropFirst(21)
        let error = #expect(throws: Bech32Error.self) { try NIP19.publicKey(npub: String(withB)) }
        #expect(error?.code == .invalidCharacter)
        #expect(error?.message.contains("position 21") == true)
        #expect(throws: Bech32Error.invalidCharacter(at: 0)) { try Bech32.decode(Array("npub1 qqqqqq".utf8)) }
    }

    @Test func refusesTheWrongPrefix() {
        let error = #expect(throws: Bech32Error.self) { try NIP19.decode(Array(Self.npub.utf8), hrp: "nsec") }
        #expect(error?.code == .wrongPrefix)
    }

    @Test func refusesWrongDataLength() {
        let data = try! Bech32.convertBits([UInt8](repeating: 7, count: 31), from: 8, to: 5, pad: true)
        let short = Bech32.encode(hrp: "npub", data: data)
        #expect(throws: Bech32Error.wrongDataLength(expected: 32, got: 31)) { try NIP19.publicKey(npub: short) }
    }

    @Test func refusesStructuralProblems() {
        #expect(throws: Bech32Error.missingSeparator) { try Bech32.decode(Array("npubqqqqqqqq".utf8)) }
        #expect(throws: Bech32Error.emptyPrefix) { try Bech32.decode(Array("1qqqqqqqq".utf8)) }
        #expect(throws: Bech32Error.tooShort) { try Bech32.decode(Array("npub1qqqqq".utf8)) }
        #expect(throws: Bech32Error.tooLong(91, limit: 90)) {
            try Bech32.decode(Array(("a1" + String(repeating: "q", count: 89)).utf8))
        }
    }

    @Test func paddingRulesAreEnforced() throws {
        // 5 -> 8 without padding: leftover bits must be zero and fewer than 5.
        #expect(throws: Bech32Error.invalidPadding) { try Bech32.convertBits([31, 31], from: 5, to: 8, pad: false) }
        #expect(throws: Bech32Error.invalidPadding) { try Bech32.convertBits([0, 0, 0], from: 5, to: 8, pad: false) }
        #expect(try Bech32.convertBits([0xff], from: 8, to: 5, pad: true) == [31, 28])
        #expect(try Bech32.convertBits([31, 28], from: 5, to: 8, pad: false) == [0xff])
        #expect(throws: Bech32Error.invalidPadding) { try Bech32.convertBits([32], from: 5, to: 8, pad: false) }
    }

    @Test func roundTripsBIP173ValidStrings() throws {
        for valid in ["A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"] {
            let (hrp, data) = try Bech32.decode(Array(valid.utf8))
            #expect(Bech32.encode(hrp: hrp, data: data) == valid.lowercased())
        }
    }
}
