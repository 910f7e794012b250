/// The kind of a JSON value, for error messages: "a string", "null", ...
public enum JSONKind: Sendable, Equatable, CustomStringConvertible {
    case null, boolean, number, string, array, object

    public var description: String {
        switch self {
        case .null: "null"
        case .boolean: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The kind a `Decodable` type reads, from the type `DecodingError` names.
    init(expecting type: Any.Type) {
        switch type {
        case is String.Type: self = .string
        case is Bool.Type: self = .boolean
        case is any Numeric.Type: self = .number
        case is any JSONArrayShaped.Type: self = .array
        default: self = .object
        }
    }

    /// The kind `JSONDecoder` reports it found in a type mismatch ("Expected to decode Bool but found a
    /// string instead."), or nil for wording it does not use.
    init?(reportedIn debugDescription: String) {
        guard let found = debugDescription.firstRange(of: "but found ") else { return nil }
        let rest = debugDescription[found.upperBound...]
        let words: [(String, JSONKind)] = [
            ("null", .null), ("bool", .boolean), ("number", .number), ("a string", .string), ("an array", .array),
            ("a dictionary", .object),
        ]
        guard let kind = words.first(where: { rest.hasPrefix($0.0 + " ") })?.1 else { return nil }
        self = kind
    }
}

/// Arrays, whichever their element: `DecodingError` names `Array<Any>` or the array type asked for.
protocol JSONArrayShaped {}
extension Array: JSONArrayShaped {}
