/// Derives `NODE_TYPE` from the GPUs the VMM lists, as the later reference did: `node-<model>x<count>`.
///
/// The model comes from the name in the lspci description (`NVIDIA Corporation GH100 [H200 SXM 141GB]`
/// is an H200; the chip name `GH100` is not a model) or, when the host's pci.ids is too old to name it,
/// from the few PCI IDs that are certain. Anything mixed or unknown is refused: a wrong type registers
/// the node wrongly, so we ask the operator rather than guess.
enum NodeTypeDetection {
    /// The models the registry knows.
    static let models = ["H100", "H200", "B200"]

    /// PCI IDs whose model is certain (dstack's default listing names 10de:2335 as H200).
    static let modelsByProductID = ["10de:2335": "H200", "10de:2330": "H100", "10de:2331": "H100"]

    struct Failure: Error, Equatable, CustomStringConvertible, Sendable {
        /// What the VMM listed, one entry per distinct GPU kind, e.g. `2x 10de:1234 "NVIDIA ... [L40S]"`.
        let seen: [String]

        var description: String {
            "cannot derive NODE_TYPE from the GPUs the VMM lists (\(seen.joined(separator: "; "))): "
                + "set NODE_TYPE explicitly, e.g. node-H100x8 or CPU"
        }
    }

    /// `node-<model>x<count>`, `CPU` for no GPUs, or a failure listing what was seen.
    static func derive(_ gpus: [(productID: String, description: String)]) -> Result<String, Failure> {
        guard !gpus.isEmpty else { return .success("CPU") }
        let found = gpus.map { model(productID: $0.productID, description: $0.description) }
        if let first = found[0], found.allSatisfy({ $0 == first }) {
            return .success("node-\(first)x\(gpus.count)")
        }
        var counts: [(String, Int)] = []
        for gpu in gpus {
            let label = "\(gpu.productID) \"\(gpu.description)\""
            if let index = counts.firstIndex(where: { $0.0 == label }) {
                counts[index].1 += 1
            } else {
                counts.append((label, 1))
            }
        }
        return .failure(Failure(seen: counts.map { "\($0.1)x \($0.0)" }))
    }

    /// The model of one GPU, or nil when it is none of `models` or cannot be told.
    static func model(productID: String, description: String) -> String? {
        let named = models.filter { containsWord($0, in: description) }
        if named.count == 1 { return named[0] }
        if named.count > 1 { return nil }
        return modelsByProductID[productID.lowercased()]
    }

    /// Whether `word` stands in `text` with no letter or digit right before or after it.
    static func containsWord(_ word: String, in text: String) -> Bool {
        let haystack = Array(text.uppercased().utf8)
        let needle = Array(word.utf8)
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            let before = start == 0 || !haystack[start - 1].isASCIIAlphanumeric
            let end = start + needle.count
            let after = end == haystack.count || !haystack[end].isASCIIAlphanumeric
            if before && after { return true }
        }
        return false
    }

    /// A warning text when an explicit `NODE_TYPE` disagrees with the GPUs, nil when it agrees or
    /// the GPUs say nothing certain.
    static func mismatch(configured: String, gpus: [(productID: String, description: String)]) -> String? {
        guard case .success(let detected) = derive(gpus), detected != configured else { return nil }
        return detected
    }
}
