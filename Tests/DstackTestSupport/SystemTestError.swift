/// A test's own set-up failed (a socket, a temporary directory): says which call and why.
public struct SystemTestError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
