import DstackCore

/// The server's counts for `/metrics`, updated lock-free on the loop thread and read from any thread.
public final class ServerStats: Sendable {
    static let codes = [200, 204, 400, 404, 405, 408, 413, 431, 503, 505]

    /// The `path` label values: the handler's routes, then `other`.
    private let routes: [String]
    /// [route * (codes.count + 1) + codeIndex]; the last code slot is "other".
    private let requests: [Counter]
    /// [reason.rawValue]
    private let rejections: [Counter]
    public let openConnections = Gauge()
    /// Idle keep-alive connections closed at the connection cap to admit a new one.
    public let idleEvictions = Counter()

    init(routes: [String]) {
        self.routes = routes + ["other"]
        requests = (0..<(self.routes.count * (Self.codes.count + 1))).map { _ in Counter() }
        rejections = RejectionReason.allCases.map { _ in Counter() }
    }

    /// The route index of `other`.
    var otherRoute: Int { routes.count - 1 }

    /// Counts one answered request under route index `route`.
    func countRequest(_ route: Int, status: Int) {
        let codeIndex = Self.codes.firstIndex(of: status) ?? Self.codes.count
        requests[route * (Self.codes.count + 1) + codeIndex].increment()
    }

    /// Counts one refusal.
    func countRejection(_ reason: RejectionReason) {
        rejections[reason.rawValue].increment()
    }

    /// Non-zero request counts by path class and status code.
    public func requestCounts() -> [(path: String, code: String, count: Int)] {
        var result: [(path: String, code: String, count: Int)] = []
        for (route, path) in routes.enumerated() {
            for codeIndex in 0...Self.codes.count {
                let count = requests[route * (Self.codes.count + 1) + codeIndex].current
                guard count > 0 else { continue }
                let code = codeIndex < Self.codes.count ? String(Self.codes[codeIndex]) : "other"
                result.append((path, code, count))
            }
        }
        return result
    }

    /// Every rejection reason with its count (zeros included, so alerts have a series).
    public func rejectionCounts() -> [(reason: String, count: Int)] {
        RejectionReason.allCases.map { ($0.label, rejections[$0.rawValue].current) }
    }
}

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
