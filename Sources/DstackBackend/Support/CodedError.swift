/// An error that is a code and the operator-facing message for it, in the shape of swift-service-lifecycle's
/// errors: tests and callers match on the code, people read the message.
public protocol CodedError: Error, Sendable, Equatable, CustomStringConvertible {
    associatedtype Code: Sendable, Equatable
    var code: Code { get }
    /// The full text, naming the value at fault and the likely fix; never key material.
    var message: String { get }
}

extension CodedError {
    /// Equal when the codes are: the message's wording is free to change.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    public var description: String { message }
}
