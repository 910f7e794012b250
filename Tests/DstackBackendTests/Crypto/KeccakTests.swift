import Testing
@testable import DstackBackend

@Suite struct KeccakTests {
    @Test(arguments: [
        ("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        (
            "The quick brown fox jumps over the lazy dog",
            "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"
        ),
    ])
    func keccak256MatchesPublishedVectors(input: String, expected: String) {
        #expect(Hex.encode(Keccak.keccak256(Array(input.utf8))) == expected)
    }

    @Test func keccakIsNotSHA3() {
        // SHA3-256("") differs only by the padding byte; getting this wrong breaks every EIP-55 checksum.
        #expect(Hex.encode(Keccak.keccak256([])) != "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }

    /// SHA3-256 (Python's hashlib) over inputs around the 136-byte block size exercises multi-block absorbing.
    @Test(arguments: [
        (0, "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"),
        (135, "fded8fd9d6551c601eeb3b7c6bc5e5cfd8aad1d015b7e9aaa9c9b9475231d5e2"),
        (136, "cf3ccff92480a29160c2d38317c430e14749bfee1788106957dfe73f8c4930e5"),
        (137, "ce9d7dc90913ee5d92745019479a5352c6d6279bef18ed07dc0a83ee8084daca"),
        (300, "4be64d77dff18f218eeb40368f86ed78e6d4f2381c71675ab5ada46aa4fee621"),
    ])
    func spongeMatchesSHA3AcrossBlockBoundaries(length: Int, expected: String) {
        let input = (0..<length).map { UInt8($0 % 251) }
        #expect(Hex.encode(Keccak.hash(input, rate: 136, outputBytes: 32, domain: 0x06)) == expected)
    }
}
