/// One GPU as the dstack VMM lists it.
public struct GPU: Sendable, Equatable {
    /// lspci bus id, usually without the `0000:` domain, e.g. `18:00.0`.
    public let slot: String
    /// `vendor:device`, e.g. `10de:2335`.
    public let productID: String
    /// lspci's words, e.g. `NVIDIA Corporation GH100 [H200 SXM 141GB]`.
    public let description: String
    /// False while a VM uses it.
    public let isFree: Bool

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
    public let gpus: [GPU]
    /// Missing on VMMs before v0.5.3: false then.
    public let allowAttachAll: Bool

    public init(gpus: [GPU], allowAttachAll: Bool) {
        self.gpus = gpus
        self.allowAttachAll = allowAttachAll
    }

    public var freeCount: Int { gpus.filter(\.isFree).count }

    /// Decodes a `ListGpus` body: unknown fields ignored, strict about the fields we rely on.
    public static func decode(_ body: [UInt8]) throws(DstackError) -> GPUList {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw .invalidAnswer("the VMM's answer is not valid JSON (\(error.description))")
        }
        guard json.isObject else {
            throw .invalidAnswer("the VMM's answer must be a JSON object, got \(json.kindDescription)")
        }
        guard let gpusValue = json["gpus"] else {
            throw .invalidAnswer("the VMM's answer has no \"gpus\" field")
        }
        guard let items = gpusValue.arrayValue else {
            throw .invalidAnswer("gpus must be an array, got \(gpusValue.kindDescription)")
        }
        var gpus: [GPU] = []
        gpus.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard item.isObject else {
                throw .invalidAnswer("gpus[\(index)] must be an object, got \(item.kindDescription)")
            }
            func string(_ name: String) throws(DstackError) -> String {
                guard let value = item[name] else { throw .invalidAnswer("gpus[\(index)].\(name) is missing") }
                guard let text = value.stringValue else {
                    throw .invalidAnswer("gpus[\(index)].\(name) must be a string, got \(value.kindDescription)")
                }
                return text
            }
            let slot = try string("slot")
            let productID = try string("product_id")
            let description = try string("description")
            guard let freeValue = item["is_free"] else { throw .invalidAnswer("gpus[\(index)].is_free is missing") }
            guard let isFree = freeValue.boolValue else {
                throw .invalidAnswer("gpus[\(index)].is_free must be a boolean, got \(freeValue.kindDescription)")
            }
            gpus.append(GPU(slot: slot, productID: productID, description: description, isFree: isFree))
        }
        var allowAttachAll = false
        if let value = json["allow_attach_all"], value != .null {
            guard let flag = value.boolValue else {
                throw .invalidAnswer("allow_attach_all must be a boolean, got \(value.kindDescription)")
            }
            allowAttachAll = flag
        }
        return GPUList(gpus: gpus, allowAttachAll: allowAttachAll)
    }
}
