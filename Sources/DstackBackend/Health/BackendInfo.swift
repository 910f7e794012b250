/// Renders BackendInfo, the `/health` body dephy-worker reads, byte-for-byte as the contract fixes it.
///
/// `{"version":"1.0.0","topic":"dstack-gpu-monitor","pubkeys":[...],"status":...,"metadata":...,"ip_address":...}`
/// with `metadata` a JSON *string*: the compact JSON of the GPU list when Available, `Error: <reason>` when not.
enum BackendInfo {
    static let version = "1.0.0"
    static let topic = "dstack-gpu-monitor"

    /// The metadata JSON text of an Available node.
    static func metadata(_ list: GPUList) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("gpu_count")
        writer.integer(list.gpus.count)
        writer.key("gpus")
        writer.beginArray()
        for gpu in list.gpus {
            gpu.write(to: &writer)
        }
        writer.endArray()
        writer.key("allow_attach_all")
        writer.bool(list.allowAttachAll)
        writer.endObject()
        return writer.text
    }

    /// The body for `available` GPUs, or for an unavailable node with `reason`.
    static func body(pubkey: String, ipAddress: String?, available: GPUList?, reason: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("version")
        writer.string(version)
        writer.key("topic")
        writer.string(topic)
        writer.key("pubkeys")
        writer.beginArray()
        writer.string(pubkey)
        writer.endArray()
        writer.key("status")
        writer.string(available == nil ? "Unavailable" : "Available")
        writer.key("metadata")
        writer.string(available.map(metadata) ?? "Error: \(reason)")
        writer.key("ip_address")
        if let ipAddress { writer.string(ipAddress) } else { writer.null() }
        writer.endObject()
        return writer.bytes
    }

    /// The whole `/health` response: 200 when Available, 503 when not.
    static func response(pubkey: String, ipAddress: String?, outcome: PollOutcome) -> PreparedResponse {
        switch outcome {
        case .available(let list):
            PreparedResponse(
                status: 200, contentType: "application/json",
                body: body(pubkey: pubkey, ipAddress: ipAddress, available: list, reason: ""))
        case .unavailable(let reason):
            PreparedResponse(
                status: 503, contentType: "application/json",
                body: body(pubkey: pubkey, ipAddress: ipAddress, available: nil, reason: reason))
        }
    }
}
