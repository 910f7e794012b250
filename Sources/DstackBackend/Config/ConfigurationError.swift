/// Everything wrong with the configuration, so the operator fixes it all in one round.
///
/// Start-up prints `lines` (one per problem, in table order) to standard error and exits 78.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The setting at fault (the variable or flag it came from, e.g. `LISTEN_ADDR`) and what is wrong with it.
    public var problems: [(setting: String, problem: String)] = []

    /// `Error: <setting> <problem>`, the shape of the reference's messages, e.g.
    /// `Error: LISTEN_ADDR "x" has no port: use host:port such as 0.0.0.0:8080`.
    public var lines: [String] { problems.map { "Error: \($0.setting) \($0.problem)" } }

    public var description: String { lines.joined(separator: "\n") }
}
