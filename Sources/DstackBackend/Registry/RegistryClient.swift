/// The registry's calls, over `HTTPClient`: `GET /permissions/{pubkey}`, `GET /workers/{pubkey}` and
/// `POST /workers`.
///
/// Each call makes one request and classifies the outcome; retrying is `WorkerRegistration`'s job.
public struct RegistryClient: Sendable {
    /// Extra headers for one request, from its method, full URL and body; NIP-98 signing adds
    /// `Authorization` here.
    public typealias HeaderProvider =
        @Sendable (_ method: HTTPClientRequest.Method, _ url: String, _ body: [UInt8]) -> [(String, String)]

    /// `REGISTRY_URL`, without a trailing `/`.
    let baseURL: HTTPURL
    let http: HTTPClient
    var headerProvider: HeaderProvider?
    /// Hears one debug line per request with its status and duration (`LOG_LEVEL=debug`).
    var logger: Logger = .silent

    /// Asks whether `pubkey` may publish.
    ///
    /// Throws for what is worth retrying (network errors, 408, 429, 5xx) and for a refused request
    /// (oversized answer, bad public key); any other non-2xx answer or an unreadable body means
    /// `.notRegistered`.
    func permissions(pubkey: String) throws(RegistryError) -> PermissionStatus {
        let response = try get("/permissions/", pubkey: pubkey)
        if response.isSuccess {
            return PermissionStatus.parse(response.body)
        }
        return .notRegistered(reason: "HTTP \(response.status)")
    }

    /// Asks for the worker's record (`GET /workers/{pubkey}`, the v0.2 registry's check).
    ///
    /// Throws for what is worth retrying (network errors, 408, 429, 5xx) and for a refused request; 404 is
    /// `.notFound`, any other answer that is not a record of this key is `.unusable`.
    func worker(pubkey: String) throws(RegistryError) -> WorkerLookup {
        let response = try get("/workers/", pubkey: pubkey)
        if response.isSuccess {
            return WorkerLookup.parse(response.body, pubkey: pubkey)
        }
        if response.status == 404 { return .notFound }
        return .unusable(reason: "HTTP \(response.status)")
    }

    /// `GET <REGISTRY_URL><path><pubkey>`: a 2xx answer, or another status for the caller to classify.
    /// Throws for a transport error, a status worth retrying (408, 429, 5xx) and a malformed public key.
    private func get(_ path: String, pubkey: String) throws(RegistryError) -> HTTPClientResponse {
        let url = baseURL.appending(path + pubkey)
        try Self.checkPublicKey(pubkey, method: "GET", url: url)
        let response = try send(HTTPClientRequest(method: .get, url: url))
        if !response.isSuccess && RegistryError.isTransientStatus(response.status) {
            throw Self.statusError(method: "GET", url: url, response: response)
        }
        return response
    }

    /// What `POST /workers` achieved.
    enum RegistrationAnswer: Sendable, Equatable {
        /// 2xx: the registry stored the worker now.
        case created(status: Int)
        /// 409: the registry already has this worker (registered before, maybe still pending).
        case alreadyRegistered(body: String)
    }

    /// Registers the worker: `POST /workers` with `{"pubkey":…,"owner":…,"node_type":…}`.
    ///
    /// Any 2xx is success; 409 means the worker exists already, which is not an error; every other status
    /// throws with the registry's status and body.
    @discardableResult
    func registerWorker(pubkey: String, owner: EthereumAddress, nodeType: String) throws(RegistryError)
        -> RegistrationAnswer
    {
        let url = baseURL.appending("/workers")
        try Self.checkPublicKey(pubkey, method: "POST", url: url)
        let body = Self.registrationBody(pubkey: pubkey, owner: owner, nodeType: nodeType)
        let response = try send(
            HTTPClientRequest(method: .post, url: url, headers: [("Content-Type", "application/json")], body: body))
        if response.isSuccess { return .created(status: response.status) }
        if response.status == 409 { return .alreadyRegistered(body: RegistryError.printableBody(response.body)) }
        throw Self.statusError(method: "POST", url: url, response: response)
    }

    /// The exact POST body: compact JSON, keys in the order `pubkey`, `owner` (EIP-55), `node_type`.
    static func registrationBody(pubkey: String, owner: EthereumAddress, nodeType: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("pubkey")
        writer.string(pubkey)
        writer.key("owner")
        writer.string(owner.checksummed)
        writer.key("node_type")
        writer.string(nodeType)
        writer.endObject()
        return writer.bytes
    }

    private func send(_ request: HTTPClientRequest) throws(RegistryError) -> HTTPClientResponse {
        var request = request
        if let headerProvider {
            request.headers += headerProvider(request.method, request.url, request.body ?? [])
        }
        let started = ContinuousClock.now
        func milliseconds() -> String { String(started.duration(to: .now).roundedMilliseconds) }
        do {
            let response = try http.perform(request)
            logger.debug(
                "Registry request", ("method", request.method.rawValue), ("url", URLRedaction.redact(request.url)),
                ("status", String(response.status)), ("duration_ms", milliseconds()))
            return response
        } catch {
            logger.debug(
                "Registry request", ("method", request.method.rawValue), ("url", URLRedaction.redact(request.url)),
                ("reason", error.description), ("duration_ms", milliseconds()))
            throw RegistryError(method: request.method.rawValue, url: request.url, kind: .transport(error))
        }
    }

    /// The public key goes into a URL path, so it must be exactly what the registry keys on.
    private static func checkPublicKey(_ pubkey: String, method: String, url: String) throws(RegistryError) {
        guard pubkey.utf8.count == 64, Hex.isLowerCase(pubkey) else {
            throw RegistryError(
                method: method, url: url,
                kind: .invalidRequest("the public key must be 64 lower-case hex digits, got \(pubkey.utf8.count) characters"))
        }
    }

    private static func statusError(method: String, url: String, response: HTTPClientResponse) -> RegistryError {
        RegistryError(
            method: method, url: url,
            kind: .status(
                code: response.status, body: RegistryError.printableBody(response.body),
                retryAfter: response.header("retry-after").flatMap(retryAfterSeconds)))
    }

    /// `Retry-After` in its delay-seconds form; the HTTP-date form is ignored (our own back-off applies).
    static func retryAfterSeconds(_ text: String) -> Double? {
        let value = text.trimmingASCIIWhitespace()
        guard !value.isEmpty, value.allSatisfy(\.isASCIIDigit), let seconds = Int(value) else { return nil }
        return Double(seconds)
    }
}
