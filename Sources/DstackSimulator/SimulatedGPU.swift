import DstackBackend

/// The GPU set a simulated VMM reports.
public struct SimulatedGPUSet: Sendable, Equatable {
    public struct Model: Sendable, Equatable {
        let name: String
        let productID: String
        let description: String

        static let h200 = Model(
            name: "H200", productID: "10de:2335", description: "NVIDIA Corporation GH100 [H200 SXM 141GB]")
        static let h100 = Model(
            name: "H100", productID: "10de:2330", description: "NVIDIA Corporation GH100 [H100 SXM5 80GB]")
        static let b200 = Model(
            name: "B200", productID: "10de:2901", description: "NVIDIA Corporation GB100 [B200]")

        static let all = [h200, h100, b200]

        /// `H200`, `H100` or `B200`, any case.
        public static func named(_ name: String) -> Model? {
            all.first { $0.name.lowercased() == name.lowercased() }
        }
    }

    var model: Model
    var count: Int
    /// How many of them are in use (the first ones), `is_free: false`.
    var busy: Int
    var allowAttachAll: Bool

    /// 8x H200, two busy: what the demo shows.
    public static let demo = SimulatedGPUSet(model: .h200, count: 8, busy: 2, allowAttachAll: true)

    public init(model: Model, count: Int, busy: Int, allowAttachAll: Bool) {
        self.model = model
        self.count = max(0, count)
        self.busy = min(max(0, busy), max(0, count))
        self.allowAttachAll = allowAttachAll
    }

    /// The lspci-style slot of GPU `index`, e.g. `18:00.0`, `2a:00.0` (unique per index).
    static func slot(_ index: Int) -> String {
        let bus = 0x18 + index * 0x12
        let hex = Hex.encode([UInt8(truncatingIfNeeded: bus)])
        return "\(hex):00.0"
    }

    /// The compact JSON a real VMM sends for `ListGpus`.
    var listGpusJSON: [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("gpus")
        writer.beginArray()
        for index in 0..<count {
            GPU(slot: Self.slot(index), productID: model.productID, description: model.description, isFree: index >= busy)
                .write(to: &writer)
        }
        writer.endArray()
        writer.key("allow_attach_all")
        writer.bool(allowAttachAll)
        writer.endObject()
        return writer.bytes
    }
}
