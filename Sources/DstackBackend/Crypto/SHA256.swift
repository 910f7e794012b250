import COpenSSL

/// SHA-256 from OpenSSL's libcrypto (NIP-01 event ids, hashing before signing).
enum SHA256 {
    /// The 32-byte digest of `bytes`.
    static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            digest.withUnsafeMutableBufferPointer { out in
                _ = COpenSSL.SHA256(buffer.baseAddress, buffer.count, out.baseAddress)
            }
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { buffer in
                digest.withUnsafeMutableBufferPointer { out in
                    _ = COpenSSL.SHA256(buffer.baseAddress, buffer.count, out.baseAddress)
                }
            }
        }
        return digest
    }
}
