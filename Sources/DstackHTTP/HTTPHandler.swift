/// Answers requests. Called on the event-loop thread: it must not block.
public protocol HTTPHandler: Sendable {
    func respond(to request: HTTPRequest) -> PreparedResponse
    /// Which `ServerStats.pathClasses` entry a request counts under (default: "other").
    func pathClass(of request: HTTPRequest) -> Int
}

extension HTTPHandler {
    public func pathClass(of request: HTTPRequest) -> Int { 3 }
}
