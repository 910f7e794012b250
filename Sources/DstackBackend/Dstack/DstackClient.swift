import Synchronization

/// Asks the dstack VMM for its GPUs: `GET /prpc/ListGpus?json`, over HTTP(S) or its Unix socket.
///
/// Old teepod builds (before v0.4) only answer `/prpc/Teepod.ListGpus`: after a 404 on the new path the
/// client tries the old one and, if that works, keeps using it until it answers 404 itself.
public final class DstackClient: Sendable {
    public static let listPath = "/prpc/ListGpus?json"
    public static let teepodListPath = "/prpc/Teepod.ListGpus?json"
    /// The most characters of a VMM error message or body quoted in a reason.
    static let maximumExcerpt = 300

    public let endpoint: DstackEndpoint
    private let token: String?
    private let http: HTTPClient
    private let useTeepodPath = Atomic<Bool>(false)

    /// - Parameters:
    ///   - token: `DSTACK_TOKEN`, sent as `Authorization: Bearer <token>` and never logged.
    ///   - http: the shared client; its timeouts bound every poll and its size cap (1 MiB) every answer.
    public init(endpoint: DstackEndpoint, token: String?, http: HTTPClient) {
        self.endpoint = endpoint
        self.token = token
        self.http = http
    }

    /// Whether the old teepod path is the one that works here.
    public var usesTeepodPath: Bool { useTeepodPath.load(ordering: .relaxed) }

    /// One `ListGpus` call, decoded; throws with an operator-readable reason (see `DstackError`).
    ///
    /// Blocks for at most the HTTP client's timeouts (twice, on the one poll that discovers a teepod VMM).
    public func listGPUs() throws(DstackError) -> GPUList {
        if usesTeepodPath {
            let old = try fetch(Self.teepodListPath)
            guard old.status == 404 else { return try decode(old) }
            // The VMM was upgraded to one without the old path: find the path again.
            useTeepodPath.store(false, ordering: .relaxed)
        }
        let response = try fetch(Self.listPath)
        if response.status == 404 {
            let old = try fetch(Self.teepodListPath)
            if old.status == 404 {
                throw .status(
                    code: 404,
                    message: "neither /prpc/ListGpus nor /prpc/Teepod.ListGpus exists at \(endpoint);"
                        + " is DSTACK_URL the dstack VMM?")
            }
            if old.status == 200 {
                useTeepodPath.store(true, ordering: .relaxed)
            }
            return try decode(old)
        }
        return try decode(response)
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
        default:
            // The VMM's errors are `{"error": "..."}` (HTTP 400); quote anything else briefly.
            if let json = try? JSONValue.parse(response.body), let message = json["error"]?.stringValue {
                throw .status(code: response.status, message: Self.excerpt(message))
            }
            let head = String(decoding: response.body.prefix(Self.maximumExcerpt * 4), as: UTF8.self)
            // prpc answers every dispatch error with 400 and its JSON; a bare 400 without the VMM's
            // X-App-Version header comes from some other server.
            if response.status == 400 && response.header("x-app-version") == nil {
                throw .notTheVMM(code: 400, message: Self.excerpt(head))
            }
            throw .status(code: response.status, message: Self.excerpt(head))
        }
    }

    /// `text` as one short line: the reason ends up inside the `Failed to connect to dstack: <reason>` log
    /// line and in `/health`, so a multi-line or megabyte-long VMM message must not split or flood either.
    static func excerpt(_ text: String) -> String {
        var line = ""
        var pendingSpace = false
        var count = 0
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7f || scalar == " " {
                pendingSpace = !line.isEmpty
                continue
            }
            if count + (pendingSpace ? 1 : 0) >= maximumExcerpt {
                line += "…"
                break
            }
            if pendingSpace {
                line += " "
                count += 1
                pendingSpace = false
            }
            line.unicodeScalars.append(scalar)
            count += 1
        }
        return line
    }
}
