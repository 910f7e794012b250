import COpenSSL
import CSecp256k1

/// A secp256k1 secret key: 32 bytes, 0 < k < n.
///
/// Never printable (`SecretKey(<redacted>)`), and its bytes live in one heap buffer that is zeroed when
/// the last reference goes away. Reach the bytes only through `withUnsafeBytes`.
final class SecretKey: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Immutable after `init`; `@unchecked Sendable` because the raw buffer is only read.
    private let storage: UnsafeMutableRawBufferPointer

    static let byteCount = 32

    /// Copies `bytes` after checking 0 < k < n.
    init<C: Collection>(bytes: C) throws(KeyError) where C.Element == UInt8 {
        guard bytes.count == Self.byteCount else { throw .wrongSecretKeyLength(bytes.count) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.byteCount, alignment: 16)
        buffer.copyBytes(from: bytes)
        let valid = secp256k1_ec_seckey_verify(
            Secp256k1Context.shared.pointer, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 1
        if !valid {
            let isZero = buffer.allSatisfy { $0 == 0 }
            SecureRandom.cleanse(buffer)
            buffer.deallocate()
            throw isZero ? .zeroSecretKey : .secretKeyOutOfRange
        }
        storage = buffer
    }

    /// A fresh random key: 32 bytes from `RAND_bytes`, drawn again in the (2^-128) case that they are not
    /// a valid scalar.
    static func generate() throws(SecureRandomError) -> SecretKey {
        var candidate = [UInt8](repeating: 0, count: byteCount)
        defer { SecureRandom.cleanse(&candidate) }
        while true {
            var failure: SecureRandomError?
            candidate.withUnsafeMutableBytes { buffer in
                do throws(SecureRandomError) { try SecureRandom.fill(buffer) } catch { failure = error }
            }
            if let failure { throw failure }
            if let key = try? SecretKey(bytes: candidate) { return key }
        }
    }

    deinit {
        SecureRandom.cleanse(storage)
        storage.deallocate()
    }

    /// Calls `body` with the 32 secret bytes. Do not copy them out of the closure.
    func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(storage))
    }

    var description: String { "SecretKey(<redacted>)" }
    var debugDescription: String { "SecretKey(<redacted>)" }
}
