/// One GPU as the dstack VMM lists it.
public struct GPU: Sendable, Equatable {
    /// lspci bus id, usually without the `0000:` domain, e.g. `18:00.0`.
    let slot: String
    /// `vendor:device`, e.g. `10de:2335`.
    let productID: String
    /// lspci's words, e.g. `NVIDIA Corporation GH100 [H200 SXM 141GB]`.
    public let description: String
    /// False while a VM uses it.
    let isFree: Bool

    public init(slot: String, productID: String, description: String, isFree: Bool) {
        self.slot = slot
        self.productID = productID
        self.description = description
        self.isFree = isFree
    }
}

extension GPU {
    /// `{"slot":…,"product_id":…,"description":…,"is_free":…}`, the VMM's field names and order
    /// (the same object in `ListGpus` and in BackendInfo's metadata).
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("slot")
        writer.string(slot)
        writer.key("product_id")
        writer.string(productID)
        writer.key("description")
        writer.string(description)
        writer.key("is_free")
        writer.bool(isFree)
        writer.endObject()
    }
}

/// The VMM's `ListGpus` answer.
public struct GPUList: Sendable, Equatable {
    let gpus: [GPU]
    /// Missing on VMMs before v0.5.3: false then.
    let allowAttachAll: Bool

    var freeCount: Int { gpus.filter(\.isFree).count }

    /// Decodes a `ListGpus` body: unknown fields ignored, strict about the fields we rely on.
    static func decode(_ body: [UInt8]) throws(DstackError) -> GPUList {
        do throws(JSONDecodeError) {
            return try JSONDocument.decode(GPUList.self, from: body)
        } catch .syntax(let error) {
            throw .invalidAnswer("the VMM's answer is not valid JSON (\(error.description))")
        } catch .wrongKind(path: "", expected: _, let found) {
            throw .invalidAnswer("the VMM's answer must be a JSON object, got \(found)")
        } catch .missing(path: "gpus") {
            throw .invalidAnswer("the VMM's answer has no \"gpus\" field")
        } catch {
            throw .invalidAnswer(error.description)
        }
    }
}

extension GPU: Decodable {
    enum CodingKeys: String, CodingKey {
        case slot
        case productID = "product_id"
        case description
        case isFree = "is_free"
    }
}

extension GPUList: Decodable {
    enum CodingKeys: String, CodingKey {
        case gpus
        case allowAttachAll = "allow_attach_all"
    }

    /// `allow_attach_all` missing or null reads as false.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            gpus: try container.decode([GPU].self, forKey: .gpus),
            allowAttachAll: try container.decodeIfPresent(Bool.self, forKey: .allowAttachAll) ?? false)
    }
}
