import Testing
@testable import DstackBackend

@Suite struct Bech32Tests {
    @Test func decodesTheNIP19SecretKeyPair() throws {
        let key = try NIP19.secretKey(nsec: Array(NIP19Vector.nsec.utf8))
        let hex = key.withUnsafeBytes { Hex.encode($0) }
        #expect(hex == NIP19Vector.nsecHex)
        #expect(NIP19.encode(hrp: "nsec", bytes: Hex.decode(hex)!) == NIP19Vector.nsec)
    }

    @Test func decodesAndEncodesTheNIP19PublicKeyPair() throws {
        #expect(Hex.encode(try NIP19.publicKey(npub: NIP19Vector.npub)) == NIP19Vector.npubHex)
        #expect(try PublicKey(hex: NIP19Vector.npubHex).npub == NIP19Vector.npub)
        #expect(Hex.encode(try NIP19.publicKey(npub: NIP19Vector.npub.uppercased())) == NIP19Vector.npubHex)
    }

    @Test func refusesABadChecksum() {
        var broken = Array(NIP19Vector.npub.utf8)
        broken[10] = broken[10] == UInt8(ascii: "q") ? UInt8(ascii: "p") : UInt8(ascii: "q")
        #expect(throws: KeyError.badChecksum) { try NIP19.publicKey(npub: String(decoding: broken, as: UTF8.self)) }
    }

    @Test func refusesBech32mChecksums() {
        // The same payload with a bech32m checksum (constant 0x2bc830a3) must not pass as bech32.
        let data = try! Bech32.convertBits(Hex.decode(NIP19Vector.npubHex)!, from: 8, to: 5, pad: true)
        let bech32 = Bech32.encode(hrp: "npub", data: data)
        #expect(bech32 == NIP19Vector.npub)
        #expect(throws: KeyError.badChecksum) { try Bech32.decode(Array("a1lqfn3a".utf8)) }  // BIP-350 valid bech32m
    }

    @Test func refusesMixedCase() {
        let mixed = "NPUB" + NIP19Vector.npub.dropFirst(4)
        #expect(throws: KeyError.mixedCase) { try NIP19.publicKey(npub: mixed) }
    }

    @Test func refusesInvalidCharacters() {
        // 'b', 'i', 'o' and '1' are not in the bech32 data alphabet.
        let withB = NIP19Vector.npub.prefix(20) + "b" + NIP19Vector.npub.dropFirst(21)
        let error = #expect(throws: KeyError.self) { try NIP19.publicKey(npub: String(withB)) }
        #expect(error?.code == .invalidCharacter)
        #expect(error?.message.contains("position 21") == true)
        #expect(throws: KeyError.invalidCharacter(at: 0)) { try Bech32.decode(Array("npub1 qqqqqq".utf8)) }
    }

    @Test func refusesTheWrongPrefix() {
        let error = #expect(throws: KeyError.self) { try NIP19.decode(Array(NIP19Vector.npub.utf8), hrp: "nsec") }
        #expect(error?.code == .wrongPrefix)
    }

    @Test func refusesWrongDataLength() {
        let data = try! Bech32.convertBits([UInt8](repeating: 7, count: 31), from: 8, to: 5, pad: true)
        let short = Bech32.encode(hrp: "npub", data: data)
        #expect(throws: KeyError.wrongDataLength(expected: 32, got: 31)) { try NIP19.publicKey(npub: short) }
    }

    @Test func refusesStructuralProblems() {
        #expect(throws: KeyError.missingSeparator) { try Bech32.decode(Array("npubqqqqqqqq".utf8)) }
        #expect(throws: KeyError.emptyPrefix) { try Bech32.decode(Array("1qqqqqqqq".utf8)) }
        #expect(throws: KeyError.tooShort) { try Bech32.decode(Array("npub1qqqqq".utf8)) }
        #expect(throws: KeyError.tooLong(91, limit: 90)) {
            try Bech32.decode(Array(("a1" + String(repeating: "q", count: 89)).utf8))
        }
    }

    @Test func paddingRulesAreEnforced() throws {
        // 5 -> 8 without padding: leftover bits must be zero and fewer than 5.
        #expect(throws: KeyError.invalidPadding) { try Bech32.convertBits([31, 31], from: 5, to: 8, pad: false) }
        #expect(throws: KeyError.invalidPadding) { try Bech32.convertBits([0, 0, 0], from: 5, to: 8, pad: false) }
        #expect(try Bech32.convertBits([0xff], from: 8, to: 5, pad: true) == [31, 28])
        #expect(try Bech32.convertBits([31, 28], from: 5, to: 8, pad: false) == [0xff])
        #expect(throws: KeyError.invalidPadding) { try Bech32.convertBits([32], from: 5, to: 8, pad: false) }
    }

    @Test func roundTripsBIP173ValidStrings() throws {
        for valid in ["A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"] {
            let (hrp, data) = try Bech32.decode(Array(valid.utf8))
            #expect(Bech32.encode(hrp: hrp, data: data) == valid.lowercased())
        }
    }
}
