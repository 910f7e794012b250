import Testing

@testable import DstackBackend

/// The key errors share `CodedError`: equal on the code alone, described by the message.
@Suite struct CodedErrorTests {
    @Test func errorsAreEqualOnTheirCodeAndDescribedByTheirMessage() {
        #expect(KeyError.tooLong(100, limit: 90) == KeyError.tooLong(200, limit: 90))
        #expect(KeyError.tooLong(100, limit: 90) != KeyError.mixedCase)
        #expect(KeyError.mixedCase.description == "bech32 string mixes upper- and lower-case letters")
        #expect(KeyError.signingFailed("a") == KeyError.signingFailed("b"))
        #expect(KeyError.wrongSecretKeyLength(31).description == "a secp256k1 secret key is 32 bytes, got 31")
        #expect(KeystoreError.emptyFile(path: "/a/key") == KeystoreError.emptyFile(path: "/b/key"))
        #expect(KeystoreError.emptyFile(path: "/a/key") != KeystoreError.zeroKey(path: "/a/key"))
        #expect(KeystoreError.emptyFile(path: "/a/key").description.hasPrefix("Error: key file /a/key is empty."))
    }
}
