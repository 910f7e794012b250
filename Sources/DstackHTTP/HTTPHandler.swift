/// Answers requests. Called on the event-loop thread: it must not block.
public protocol HTTPHandler: Sendable {
    /// The answer, with the route class it counts under in `/metrics`.
    func respond(to request: HTTPRequest) -> RoutedResponse
}
