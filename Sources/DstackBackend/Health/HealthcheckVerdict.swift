/// What `dstack-backend healthcheck` decides from one `/health` answer: the container's health.
///
/// Container health is liveness: the backend is up, registered and serving BackendInfo. A registered node
/// whose VMM is briefly down answers 503 Unavailable, and that must not mark the container unhealthy:
/// dephy-worker (`depends_on: condition: service_healthy`) has to start anyway and report the node
/// Unavailable. `requireAvailable` keeps the strict meaning: HTTP 200 and nothing else.
public enum HealthcheckVerdict: Sendable, Equatable {
    case healthy(String)
    case unhealthy(String)

    public var isHealthy: Bool {
        if case .healthy = self { return true }
        return false
    }

    /// The one line the command prints (podman/docker keep it in the health log).
    public var message: String {
        switch self {
        case .healthy(let text): "healthy: " + text
        case .unhealthy(let text): "unhealthy: " + text
        }
    }

    /// Judges an answer from `url`.
    ///
    /// Liveness (the default): 200 with an `Available` BackendInfo, or 503 with an `Unavailable` one. Any other
    /// status, or a body that is not BackendInfo (a different server on the port, a proxy's error page), is
    /// unhealthy. `requireAvailable`: exactly 200, whatever the body (so it also probes non-BackendInfo URLs).
    public static func judge(url: String, status: Int, body: [UInt8], requireAvailable: Bool) -> HealthcheckVerdict {
        if requireAvailable {
            return status == 200
                ? .healthy("\(url) answered 200")
                : .unhealthy("\(url) answered \(status) and --require-available needs 200")
        }
        guard status == 200 || status == 503 else {
            return .unhealthy("\(url) answered \(status); a live backend answers /health with 200 or 503")
        }
        let info: BackendInfoSummary
        do {
            info = try BackendInfoSummary(parsing: body)
        } catch {
            return .unhealthy("\(url) answered \(status) but the body is not BackendInfo: \(error.description)")
        }
        let expected = status == 200 ? "Available" : "Unavailable"
        guard info.status == expected else {
            return .unhealthy("\(url) answered \(status) with status \"\(info.status)\"; expected \"\(expected)\"")
        }
        return .healthy("\(url) answered \(status) \(info.status) for pubkey \(info.pubkey)")
    }
}

/// The fields of a BackendInfo body that liveness checks: the shape dephy-worker reads.
struct BackendInfoSummary: Sendable, Equatable {
    let status: String
    let pubkey: String

    struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        let description: String
    }

    /// Parses `body`; throws naming the first field that is missing or wrong.
    init(parsing body: [UInt8]) throws(Invalid) {
        let document: Document
        do throws(JSONDecodeError) {
            document = try JSONDocument.decode(Document.self, from: body)
        } catch .wrongKind(path: "", expected: _, let found) {
            throw Invalid(description: "expected a JSON object, got \(found)")
        } catch {
            throw Invalid(description: error.description)
        }
        for (field, value, sent) in [
            ("version", BackendInfo.version, document.version), ("topic", BackendInfo.topic, document.topic),
        ] {
            guard sent == value else { throw Invalid(description: "\"\(field)\" is not \"\(value)\"") }
        }
        guard let keys = document.pubkeys, keys.count == 1, let pubkey = keys.first, pubkey.utf8.count == 64,
            Hex.decode(pubkey) != nil
        else { throw Invalid(description: "\"pubkeys\" is not a list of one 64-hex public key") }
        guard let status = document.status, status == "Available" || status == "Unavailable" else {
            throw Invalid(description: "\"status\" is not \"Available\" or \"Unavailable\"")
        }
        guard document.metadata != nil else {
            throw Invalid(description: "\"metadata\" is not a string")
        }
        guard document.ipAddressIsStringOrNull else {
            throw Invalid(description: "\"ip_address\" is not a string or null")
        }
        self.status = status
        self.pubkey = pubkey
    }

    /// A BackendInfo body read leniently (a field of another kind is nil), so the checks above name it.
    private struct Document: Decodable {
        enum CodingKeys: String, CodingKey {
            case version, topic, pubkeys, status, metadata
            case ipAddress = "ip_address"
        }

        let version: String?
        let topic: String?
        /// Nil unless an array of strings.
        let pubkeys: [String]?
        let status: String?
        let metadata: String?
        /// `ip_address` is present, and a string or null.
        let ipAddressIsStringOrNull: Bool

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            version = fields.lenient(String.self, forKey: .version)
            topic = fields.lenient(String.self, forKey: .topic)
            pubkeys = fields.lenient([String].self, forKey: .pubkeys)
            status = fields.lenient(String.self, forKey: .status)
            metadata = fields.lenient(String.self, forKey: .metadata)
            ipAddressIsStringOrNull =
                fields.contains(.ipAddress)
                && ((try? fields.decodeNil(forKey: .ipAddress)) == true || fields.lenient(String.self, forKey: .ipAddress) != nil)
        }
    }
}
