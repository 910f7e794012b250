import DstackCore

/// The server's counts for `/metrics`, updated lock-free on the loop thread and read from any thread.
public final class ServerStats: Sendable {
    public static let codes = [200, 204, 400, 404, 405, 408, 413, 431, 503, 505]

    /// [route.rawValue * (codes.count + 1) + codeIndex]; the last code slot is "other".
    private let requests: [Counter]
    /// [reason.rawValue]
    private let rejections: [Counter]
    public let openConnections = Gauge()
    /// Idle keep-alive connections closed at the connection cap to admit a new one.
    public let idleEvictions = Counter()

    public init() {
        requests = (0..<(RouteClass.allCases.count * (Self.codes.count + 1))).map { _ in Counter() }
        rejections = RejectionReason.allCases.map { _ in Counter() }
    }

    /// Counts one answered request.
    func countRequest(_ route: RouteClass, status: Int) {
        let codeIndex = Self.codes.firstIndex(of: status) ?? Self.codes.count
        requests[route.rawValue * (Self.codes.count + 1) + codeIndex].increment()
    }

    /// Counts one refusal.
    func countRejection(_ reason: RejectionReason) {
        rejections[reason.rawValue].increment()
    }

    /// Non-zero request counts by path class and status code.
    public func requestCounts() -> [(path: String, code: String, count: Int)] {
        var result: [(path: String, code: String, count: Int)] = []
        for route in RouteClass.allCases {
            for codeIndex in 0...Self.codes.count {
                let count = requests[route.rawValue * (Self.codes.count + 1) + codeIndex].current
                guard count > 0 else { continue }
                let code = codeIndex < Self.codes.count ? String(Self.codes[codeIndex]) : "other"
                result.append((route.label, code, count))
            }
        }
        return result
    }

    /// Every rejection reason with its count (zeros included, so alerts have a series).
    public func rejectionCounts() -> [(reason: String, count: Int)] {
        RejectionReason.allCases.map { ($0.label, rejections[$0.rawValue].current) }
    }
}
