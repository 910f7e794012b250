/// The daemon's routes: `/health`, `/` and `/metrics`.
///
/// GET and HEAD on a known path; OPTIONS answers a CORS preflight; another method gets 405 with `Allow`;
/// any other path 404. The query string is ignored. Matching compares bytes: no String per request.
public struct BackendRoutes: HTTPHandler {
    private let health: @Sendable () -> PreparedResponse
    private let metrics: (@Sendable () -> PreparedResponse)?

    static let root = PreparedResponse(status: 200, contentType: "text/plain; charset=utf-8", text: "DStack Backend Health Monitor")
    static let notFound = PreparedResponse.jsonError(status: 404, message: "not found: try /health")
    static let methodNotAllowed = PreparedResponse.jsonError(
        status: 405, message: "method not allowed", headers: [("Allow", "GET, HEAD, OPTIONS")])
    /// A CORS preflight answer: 204, no body.
    static let preflight = PreparedResponse(
        status: 204, contentType: "text/plain; charset=utf-8", body: [],
        headers: [
            ("Allow", "GET, HEAD, OPTIONS"), ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
            ("Access-Control-Allow-Headers", "*"), ("Access-Control-Max-Age", "86400"),
        ])

    public init(health: @escaping @Sendable () -> PreparedResponse, metrics: (@Sendable () -> PreparedResponse)? = nil) {
        self.health = health
        self.metrics = metrics
    }

    /// The paths `/metrics` counts requests under, indexed by `respond`; any other counts as `other`.
    public let routes = ["/health", "/", "/metrics"]

    public func respond(to request: HTTPRequest) -> (response: PreparedResponse, route: Int?) {
        if request.pathEquals("/health") { return (answer(request, with: health), 0) }
        if request.pathEquals("/") { return (answer(request, with: { Self.root }), 1) }
        if let metrics, request.pathEquals("/metrics") { return (answer(request, with: metrics), 2) }
        return (Self.notFound, nil)
    }

    /// A known path's answer to `request`'s method: `content` for GET and HEAD (made only then).
    private func answer(_ request: HTTPRequest, with content: () -> PreparedResponse) -> PreparedResponse {
        switch request.method {
        case .get, .head: content()
        case .options: Self.preflight
        default: Self.methodNotAllowed
        }
    }
}
