/// Answers requests. Called on the event-loop thread: it must not block.
public protocol HTTPHandler: Sendable {
    /// The `path` label values of `dstack_backend_http_requests_total` it counts answers under, in the order
    /// `/metrics` lists them; `other` follows (also for requests the server refuses before a handler sees them).
    var routes: [String] { get }
    /// The answer, with the index in `routes` it counts under (nil: `other`).
    func respond(to request: HTTPRequest) -> (response: PreparedResponse, route: Int?)
}
