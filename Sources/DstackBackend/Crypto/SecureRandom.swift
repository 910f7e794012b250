import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's `RAND_bytes` (seeded from the kernel).
enum SecureRandom {
    /// Fills `buffer` with random bytes.
    ///
    /// Throws only when OpenSSL's generator cannot be seeded, which on Linux means `getrandom(2)` failed.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(SecureRandomError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        guard buffer.count <= Int(Int32.max) else { throw SecureRandomError(openSSLError: 0) }
        if RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(buffer.count)) != 1 {
            throw SecureRandomError(openSSLError: ERR_get_error())
        }
    }

    /// `count` random bytes.
    static func bytes(count: Int) throws(SecureRandomError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var failure: SecureRandomError?
        out.withUnsafeMutableBytes { buffer in
            do throws(SecureRandomError) { try fill(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }

    /// Overwrites `buffer` with zeros in a way the compiler may not optimise away (`OPENSSL_cleanse`).
    static func cleanse(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        OPENSSL_cleanse(base, buffer.count)
    }

    /// Zeroes an array's storage in place; for buffers that briefly held secret material.
    static func cleanse(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { cleanse($0) }
    }
}

/// OpenSSL's random generator failed.
struct SecureRandomError: Error, Sendable, Equatable, CustomStringConvertible {
    /// OpenSSL's packed error code (`ERR_get_error`), 0 when unknown.
    let openSSLError: UInt

    var description: String {
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(openSSLError, &text, text.count)
        let reason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "the system's secure random generator failed (\(reason)); check that /dev/urandom and getrandom(2) work"
    }
}
