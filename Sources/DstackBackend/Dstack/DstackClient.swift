/// Asks the dstack VMM for its GPUs: `GET /prpc/ListGpus?json`, over HTTP(S) or its Unix socket.
///
/// One path for every VMM: `ListGpus` first shipped in dstack v0.4.2, whose router already trims the old
/// `Teepod.` prefix, so every VMM that has the method answers `/prpc/ListGpus`. (Only unreleased teepod
/// builds of March 2025 had it under `Teepod.ListGpus` alone, and those answered the new path with prpc's
/// 400, never 404.) A VMM without the method answers 400 with `{"error": ...}`, quoted in the reason.
public final class DstackClient: Sendable {
    static let listPath = "/prpc/ListGpus?json"
    /// The most characters of a VMM error message or body quoted in a reason.
    static let maximumExcerpt = 300

    let endpoint: DstackEndpoint
    private let token: String?
    private let http: HTTPClient

    /// - Parameters:
    ///   - token: `DSTACK_TOKEN`, sent as `Authorization: Bearer <token>` and never logged.
    ///   - http: the shared client; its timeouts bound every poll and its size cap (1 MiB) every answer.
    public init(endpoint: DstackEndpoint, token: String?, http: HTTPClient) {
        self.endpoint = endpoint
        self.token = token
        self.http = http
    }

    /// One `ListGpus` call, decoded; throws with an operator-readable reason (see `DstackError`).
    ///
    /// Blocks for at most the HTTP client's timeouts.
    func listGPUs() throws(DstackError) -> GPUList {
        try decode(fetch(Self.listPath))
    }

    private func fetch(_ path: String) throws(DstackError) -> HTTPClientResponse {
        let (url, socket) = endpoint.request(path: path)
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        do {
            return try http.perform(HTTPClientRequest(method: .get, url: url, unixSocketPath: socket, headers: headers))
        } catch {
            throw .transport(error)
        }
    }

    private func decode(_ response: HTTPClientResponse) throws(DstackError) -> GPUList {
        switch response.status {
        case 200:
            return try GPUList.decode(response.body)
        case 401:
            throw .unauthorized(tokenSent: token != nil)
        case 404:
            throw .notTheVMM(
                code: 404,
                message: "\(endpoint) has no /prpc/ListGpus (the dstack VMM never answers 404 there); is DSTACK_URL the dstack VMM?")
        default:
            // The VMM's errors are `{"error": "..."}` (HTTP 400); quote anything else briefly.
            if let answer = try? JSONDocument.decode(ErrorAnswer.self, from: response.body) {
                throw .status(code: response.status, message: Self.excerpt(answer.error))
            }
            let head = PeerText.oneLine(response.body, limit: Self.maximumExcerpt)
            // prpc answers every dispatch error with 400 and its JSON; a bare 400 without the VMM's
            // X-App-Version header comes from some other server.
            if response.status == 400 && response.header("x-app-version") == nil {
                throw .notTheVMM(code: 400, message: head)
            }
            throw .status(code: response.status, message: head)
        }
    }

    /// The VMM's error body, `{"error": "..."}`.
    private struct ErrorAnswer: Decodable {
        let error: String
    }

    /// `text` as one short line: the reason ends up inside the `Failed to connect to dstack: <reason>` log
    /// line and in `/health`, so a multi-line, megabyte-long or bidi-laden VMM message must not split, flood
    /// or disguise either (see `PeerText`).
    static func excerpt(_ text: String) -> String {
        PeerText.oneLine(text, limit: maximumExcerpt)
    }
}
