/// Keccak-256 as Ethereum uses it: the original Keccak padding (`0x01`), not FIPS 202 SHA3-256 (`0x06`).
///
/// EIP-55 address checksums need it and OpenSSL 3.0 does not offer it, so this is a small, plain
/// Keccak-f[1600] sponge. Only short inputs (addresses) go through it; clarity beats speed here.
enum Keccak {
    /// Keccak-256 of `bytes`: 32 bytes.
    static func keccak256(_ bytes: [UInt8]) -> [UInt8] {
        hash(bytes, rate: 136, outputBytes: 32, domain: 0x01)
    }

    /// The sponge: absorb `rate`-byte blocks padded with `domain` then pad10*1, squeeze `outputBytes`.
    ///
    /// `domain` is 0x01 for Keccak and 0x06 for FIPS 202 SHA-3 (used only by tests, to check long inputs
    /// against any SHA3-256 implementation).
    static func hash(_ message: [UInt8], rate: Int, outputBytes: Int, domain: UInt8) -> [UInt8] {
        precondition(rate > 0 && rate < 200 && rate % 8 == 0 && outputBytes <= rate)
        var state = [UInt64](repeating: 0, count: 25)

        var padded = message
        padded.append(domain)
        while padded.count % rate != 0 { padded.append(0) }
        padded[padded.count - 1] |= 0x80

        var offset = 0
        while offset < padded.count {
            for lane in 0..<(rate / 8) {
                var word: UInt64 = 0
                for byte in 0..<8 {
                    word |= UInt64(padded[offset + lane * 8 + byte]) << (8 * UInt64(byte))
                }
                state[lane] ^= word
            }
            permute(&state)
            offset += rate
        }

        var output = [UInt8]()
        output.reserveCapacity(outputBytes)
        for index in 0..<outputBytes {
            output.append(UInt8(truncatingIfNeeded: state[index / 8] >> (8 * UInt64(index % 8))))
        }
        return output
    }

    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// Rotation offsets r[x + 5y] of the rho step.
    private static let rotations: [UInt64] = [
        0, 1, 62, 28, 27,
        36, 44, 6, 55, 20,
        3, 10, 43, 25, 39,
        41, 45, 15, 21, 8,
        18, 2, 61, 56, 14,
    ]

    @inline(__always)
    private static func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        count == 0 ? value : (value << count) | (value >> (64 - count))
    }

    /// Keccak-f[1600]: 24 rounds of theta, rho, pi, chi, iota over lanes indexed x + 5y.
    static func permute(_ a: inout [UInt64]) {
        var c = [UInt64](repeating: 0, count: 5)
        var b = [UInt64](repeating: 0, count: 25)
        for round in 0..<24 {
            // theta
            for x in 0..<5 {
                c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20]
            }
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotateLeft(c[(x + 1) % 5], 1)
                for y in stride(from: 0, to: 25, by: 5) {
                    a[x + y] ^= d
                }
            }
            // rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x, y])
            for x in 0..<5 {
                for y in 0..<5 {
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = rotateLeft(a[x + 5 * y], rotations[x + 5 * y])
                }
            }
            // chi
            for y in stride(from: 0, to: 25, by: 5) {
                for x in 0..<5 {
                    a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y])
                }
            }
            // iota
            a[0] ^= roundConstants[round]
        }
    }
}
