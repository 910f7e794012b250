import DstackHTTP
import DstackTestSupport

/// The server's handler in these tests, routed as the daemon's: GET and HEAD of `/health`, `/` and `/metrics`
/// answer what the test gives, another method 405, any other path 404, counted under those paths and `other`.
struct StubHandler: HTTPHandler {
    static let root = PreparedResponse(status: 200, contentType: "text/plain; charset=utf-8", text: "DStack Backend Health Monitor")
    static let notFound = PreparedResponse.jsonError(status: 404, message: "not found: try /health")
    static let methodNotAllowed = PreparedResponse.jsonError(status: 405, message: "method not allowed")

    var health: @Sendable () -> PreparedResponse = {
        PreparedResponse(status: 200, contentType: "application/json", text: #"{"status":"Available"}"#)
    }
    var metrics: @Sendable () -> PreparedResponse = { PreparedResponse(status: 200, contentType: "text/plain", text: "m 1\n") }

    let routes = ["/health", "/", "/metrics"]

    func respond(to request: HTTPRequest) -> (response: PreparedResponse, route: Int?) {
        let readable = request.method == .get || request.method == .head
        if request.pathEquals("/health") { return (readable ? health() : Self.methodNotAllowed, 0) }
        if request.pathEquals("/") { return (readable ? Self.root : Self.methodNotAllowed, 1) }
        if request.pathEquals("/metrics") { return (readable ? metrics() : Self.methodNotAllowed, 2) }
        return (Self.notFound, nil)
    }
}

extension RunningServer {
    /// A server answering with `StubHandler`.
    convenience init(limits: ServerLimits = ServerLimits(), address: ListenAddress = .inet(host: "127.0.0.1", port: 0)) throws {
        try self.init(limits: limits, address: address, handler: StubHandler())
    }
}
