import CSecp256k1

/// The process's one libsecp256k1 context, created and randomized once.
///
/// libsecp256k1 allows concurrent use of a context by every function that takes it as `const`, which is
/// all we call after creation; randomizing (the one mutating call) happens before anyone can see it.
final class Secp256k1Context: @unchecked Sendable {
    let pointer: OpaquePointer

    static let shared = Secp256k1Context()

    private init() {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("secp256k1_context_create returned NULL: libsecp256k1 is unusable")
        }
        // Randomizing blinds the signing computations against side channels; without fresh randomness we
        // keep the unblinded (still correct) context rather than fail.
        if var seed = try? SecureRandom.bytes(count: 32) {
            _ = secp256k1_context_randomize(context, seed)
            SecureRandom.cleanse(&seed)
        }
        pointer = context
    }
}
