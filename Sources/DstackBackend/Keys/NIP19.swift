/// NIP-19 bare keys: `npub1…` (public) and `nsec1…` (secret), bech32 over 32 bytes.
enum NIP19 {
    static let publicKeyPrefix = "npub"
    static let secretKeyPrefix = "nsec"

    /// Bech32 of 32 key bytes under `hrp`.
    static func encode(hrp: String, bytes: [UInt8]) -> String {
        // 8 -> 5 with padding cannot fail for byte input.
        let data = (try? Bech32.convertBits(bytes, from: 8, to: 5, pad: true)) ?? []
        return Bech32.encode(hrp: hrp, data: data)
    }

    /// The 32 bytes of a NIP-19 string whose prefix must be `hrp`.
    static func decode<C: Collection>(_ text: C, hrp: String) throws(KeyError) -> [UInt8] where C.Element == UInt8 {
        let (prefix, data) = try Bech32.decode(text)
        guard prefix == hrp else { throw .wrongPrefix(expected: hrp, got: prefix) }
        let bytes = try Bech32.convertBits(data, from: 5, to: 8, pad: false)
        guard bytes.count == 32 else { throw .wrongDataLength(expected: 32, got: bytes.count) }
        return bytes
    }
}
