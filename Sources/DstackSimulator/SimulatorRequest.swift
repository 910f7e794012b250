/// A request as the simulators see it: decoded once, off the server's fast path.
struct SimulatorRequest: Sendable {
    var method: String
    /// Path without the query, e.g. `/prpc/ListGpus`.
    var path: String
    /// Query without `?` (empty for none).
    var query: String
    /// Header names lower-cased.
    var headers: [(String, String)]
    var body: [UInt8]

    init(method: String, path: String, query: String = "", headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers.map { ($0.0.lowercased(), $0.1) }
        self.body = body
    }

    func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0 == lower }?.1
    }
}
