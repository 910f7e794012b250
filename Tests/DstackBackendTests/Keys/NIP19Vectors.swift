@testable import DstackBackend

/// NIP-19's example key pair, the one fixture the key tests share.
enum NIP19Vector {
    static let nsec = "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"
    static let nsecHex = "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa"
    static let npub = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"
    static let npubHex = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"
}

/// Decoders only the tests need: the daemon reads `nsec1…` through `KeyFileContents` and never reads an `npub1…`.
extension NIP19 {
    /// The 32 bytes of an `npub1…`.
    static func publicKey(npub: String) throws(KeyError) -> [UInt8] {
        try decode(Array(npub.utf8), hrp: publicKeyPrefix)
    }

    /// The secret key of an `nsec1…`; a malformed string or a bad scalar throws `KeyError`.
    static func secretKey(nsec: [UInt8]) throws -> SecretKey {
        var bytes = try decode(nsec, hrp: secretKeyPrefix)
        defer { SecureRandom.cleanse(&bytes) }
        return try SecretKey(bytes: bytes)
    }
}
