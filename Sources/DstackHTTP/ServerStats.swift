import DstackCore

/// The server's counts for `/metrics`, updated lock-free on the loop thread and read from any thread.
public final class ServerStats: Sendable {
    public static let pathClasses = ["/health", "/", "/metrics", "other"]
    public static let codes = [200, 204, 400, 404, 405, 408, 413, 431, 503, 505]
    public static let rejectionReasons = ["431", "413", "400", "over_cap", "timeout", "505"]

    /// [pathClass * (codes.count + 1) + codeIndex]; the last code slot is "other".
    private let requests: [Counter]
    private let rejections: [Counter]
    public let openConnections = Gauge()

    public init() {
        requests = (0..<(Self.pathClasses.count * (Self.codes.count + 1))).map { _ in Counter() }
        rejections = Self.rejectionReasons.map { _ in Counter() }
    }

    /// Counts one answered request; `pathClass` is an index into `pathClasses`.
    func countRequest(pathClass: Int, status: Int) {
        let codeIndex = Self.codes.firstIndex(of: status) ?? Self.codes.count
        requests[pathClass * (Self.codes.count + 1) + codeIndex].increment()
    }

    /// Counts one refusal; `reason` is an index into `rejectionReasons`.
    func countRejection(_ reason: Int) {
        rejections[reason].increment()
    }

    func countRejection(status: Int) {
        switch status {
        case 431: countRejection(0)
        case 413: countRejection(1)
        case 408: countRejection(4)
        case 505: countRejection(5)
        default: countRejection(2)
        }
    }

    static let overCap = 3
    static let timeout = 4

    /// Non-zero request counts by path class and status code.
    public func requestCounts() -> [(path: String, code: String, count: Int)] {
        var result: [(path: String, code: String, count: Int)] = []
        for (pathIndex, path) in Self.pathClasses.enumerated() {
            for codeIndex in 0...Self.codes.count {
                let count = requests[pathIndex * (Self.codes.count + 1) + codeIndex].current
                guard count > 0 else { continue }
                let code = codeIndex < Self.codes.count ? String(Self.codes[codeIndex]) : "other"
                result.append((path, code, count))
            }
        }
        return result
    }

    /// Every rejection reason with its count (zeros included, so alerts have a series).
    public func rejectionCounts() -> [(reason: String, count: Int)] {
        zip(Self.rejectionReasons, rejections).map { ($0, $1.current) }
    }
}
