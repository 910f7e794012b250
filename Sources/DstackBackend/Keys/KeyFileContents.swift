/// Turns the bytes of a key file into a `SecretKey`, or says precisely what is wrong with them.
///
/// Accepts 64 hex digits of either case or `nsec1…`, with whitespace around it (people edit this file).
/// Works on bytes so the secret never becomes a `String`.
enum KeyFileContents {
    /// Parses `contents`; errors name `path` and never the key.
    static func parse(_ contents: [UInt8], path: String) throws(KeystoreError) -> SecretKey {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0d).contains($0) }
        guard let first = contents.firstIndex(where: { !isSpace($0) }),
            let last = contents.lastIndex(where: { !isSpace($0) })
        else { throw .emptyFile(path: path) }
        let text = contents[first...last]

        if hasPrefix(text, "nsec1") { return try parseNsec(text, path: path) }
        if hasPrefix(text, "npub1") { throw .publicKeyInsteadOfSecretKey(path: path) }

        if let bad = text.firstIndex(where: { Hex.value(ofDigit: $0) == nil }) {
            throw .notHex(path: path, position: bad + 1)
        }
        guard text.count == 64 else { throw .wrongLength(path: path, length: text.count) }
        // Every digit was checked above.
        var bytes = Hex.decode(text)!
        defer { SecureRandom.cleanse(&bytes) }
        return try secretKey(bytes, path: path)
    }

    private static func parseNsec(_ text: ArraySlice<UInt8>, path: String) throws(KeystoreError) -> SecretKey {
        var bytes: [UInt8]
        do {
            bytes = try NIP19.decode(text, hrp: NIP19.secretKeyPrefix)
        } catch let error where error.code == .badChecksum {
            throw .badChecksum(path: path)
        } catch {
            throw .invalidNsec(path: path, error)
        }
        defer { SecureRandom.cleanse(&bytes) }
        return try secretKey(bytes, path: path)
    }

    private static func secretKey(_ bytes: [UInt8], path: String) throws(KeystoreError) -> SecretKey {
        do {
            return try SecretKey(bytes: bytes)
        } catch where error.code == .zeroSecretKey {
            throw .zeroKey(path: path)
        } catch {
            throw .keyOutOfRange(path: path)
        }
    }

    /// Case-insensitive ASCII prefix test.
    private static func hasPrefix(_ text: ArraySlice<UInt8>, _ prefix: String) -> Bool {
        let expected = Array(prefix.utf8)
        guard text.count >= expected.count else { return false }
        return zip(text, expected).allSatisfy { ($0 | 0x20) == $1 }
    }
}
