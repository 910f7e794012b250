/// Every problem found in the configuration, so the operator fixes them all in one round.
///
/// Print `lines` (one per problem) to standard error and exit non-zero.
public struct ConfigurationErrors: Error, Equatable, CustomStringConvertible, Sendable {
    /// The problems, in the order of the settings table.
    public let errors: [ConfigurationError]

    public init(_ errors: [ConfigurationError]) {
        self.errors = errors
    }

    /// One operator-readable line per problem, each starting with `Error:`.
    public var lines: [String] { errors.map(\.message) }

    public var description: String { lines.joined(separator: "\n") }
}
