/// A request as the simulators see it: decoded once, off the server's fast path.
public struct SimulatorRequest: Sendable {
    public var method: String
    /// Path without the query, e.g. `/prpc/ListGpus`.
    public var path: String
    /// Query without `?` (empty for none).
    public var query: String
    /// Header names lower-cased.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, path: String, query: String = "", headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers.map { ($0.0.lowercased(), $0.1) }
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0 == lower }?.1
    }
}
