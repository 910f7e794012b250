/// The paths `/metrics` counts requests under: the `path` label of `dstack_backend_http_requests_total`.
///
/// A handler names the class with each answer (`RoutedResponse`), so the path is matched once per request;
/// requests the server refuses before a handler sees them count as `other`.
public enum RouteClass: Int, CaseIterable, Sendable {
    case health, root, metrics, other

    /// The label value, e.g. `/health`.
    public var label: String {
        switch self {
        case .health: "/health"
        case .root: "/"
        case .metrics: "/metrics"
        case .other: "other"
        }
    }
}

/// A handler's answer and the route class it counts under.
public struct RoutedResponse: Sendable {
    public let response: PreparedResponse
    public let route: RouteClass

    public init(_ response: PreparedResponse, route: RouteClass) {
        self.response = response
        self.route = route
    }
}
