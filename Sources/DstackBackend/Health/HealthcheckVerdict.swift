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
public struct BackendInfoSummary: Sendable, Equatable {
    public let status: String
    public let pubkey: String

    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Parses `body`; throws naming the first field that is missing or wrong.
    public init(parsing body: [UInt8]) throws(Invalid) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            throw Invalid(description: error.description)
        }
        guard document.isObject else { throw Invalid(description: "expected a JSON object, got \(document.kindDescription)") }
        for (field, value) in [("version", BackendInfo.version), ("topic", BackendInfo.topic)] {
            guard document[field]?.stringValue == value else {
                throw Invalid(description: "\"\(field)\" is not \"\(value)\"")
            }
        }
        guard let keys = document["pubkeys"]?.arrayValue, keys.count == 1, let pubkey = keys[0].stringValue,
            pubkey.utf8.count == 64, Hex.decode(pubkey) != nil
        else { throw Invalid(description: "\"pubkeys\" is not a list of one 64-hex public key") }
        guard let status = document["status"]?.stringValue, status == "Available" || status == "Unavailable" else {
            throw Invalid(description: "\"status\" is not \"Available\" or \"Unavailable\"")
        }
        guard document["metadata"]?.stringValue != nil else {
            throw Invalid(description: "\"metadata\" is not a string")
        }
        guard let address = document["ip_address"], address == .null || address.stringValue != nil else {
            throw Invalid(description: "\"ip_address\" is not a string or null")
        }
        self.status = status
        self.pubkey = pubkey
    }
}
