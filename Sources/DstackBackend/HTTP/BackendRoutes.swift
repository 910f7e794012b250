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

    public func pathClass(of request: HTTPRequest) -> Int {
        if request.pathEquals("/health") { return 0 }
        if request.pathEquals("/") { return 1 }
        if request.pathEquals("/metrics") && metrics != nil { return 2 }
        return 3
    }

    public func respond(to request: HTTPRequest) -> PreparedResponse {
        let target: PreparedResponse?
        switch pathClass(of: request) {
        case 0: target = nil
        case 1: target = Self.root
        case 2: target = nil
        default: return Self.notFound
        }
        switch request.method {
        case .get, .head:
            if let target { return target }
            return request.pathEquals("/health") ? health() : metrics!()
        case .options:
            return Self.preflight
        default:
            return Self.methodNotAllowed
        }
    }
}
