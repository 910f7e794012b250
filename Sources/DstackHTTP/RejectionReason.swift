/// Why the server refused a request or a connection: the `reason` label of `dstack_backend_http_rejected_total`.
///
/// Declared in the order `/metrics` lists them.
enum RejectionReason: Int, CaseIterable, Sendable {
    case headerTooLarge, bodyTooLarge, badRequest, overCap, timeout, versionNotSupported

    /// The refusal of a request the parser rejected.
    init(_ error: RequestError) {
        switch error {
        case .headerTooLarge, .tooManyHeaders: self = .headerTooLarge
        case .bodyTooLarge: self = .bodyTooLarge
        case .badRequest: self = .badRequest
        case .versionNotSupported: self = .versionNotSupported
        }
    }

    /// The label value, e.g. `431` or `over_cap`.
    var label: String {
        switch self {
        case .headerTooLarge: "431"
        case .bodyTooLarge: "413"
        case .badRequest: "400"
        case .overCap: "over_cap"
        case .timeout: "timeout"
        case .versionNotSupported: "505"
        }
    }
}
