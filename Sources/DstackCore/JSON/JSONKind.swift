import FoundationEssentials

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

    /// The kind of the value at `codingPath` in `data` (JSON that already decoded that far), or nil.
    static func of(_ data: Data, at codingPath: [any CodingKey]) -> JSONKind? {
        let decoder = JSONDecoder()
        decoder.userInfo[KindProbe.pathKey] = codingPath.map { $0.intValue.map(PathStep.position) ?? .key($0.stringValue) }
        return try? decoder.decode(KindProbe.self, from: data).kind
    }
}

/// Arrays, whichever their element: `DecodingError` names `Array<Any>` or the array type asked for.
protocol JSONArrayShaped {}
extension Array: JSONArrayShaped {}

private enum PathStep: Sendable {
    case key(String)
    case position(Int)
}

/// Walks `PathStep`s down a document and reads the kind of the value it reaches.
private struct KindProbe: Decodable {
    static let pathKey = CodingUserInfoKey(rawValue: "JSONKind.path")!

    struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes nothing: steps over one array element.
    struct Skip: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    let kind: JSONKind

    init(from decoder: any Decoder) throws {
        var decoder = decoder
        for step in decoder.userInfo[Self.pathKey] as? [PathStep] ?? [] {
            switch step {
            case .key(let name):
                decoder = try decoder.container(keyedBy: Key.self).superDecoder(forKey: Key(stringValue: name))
            case .position(let position):
                var elements = try decoder.unkeyedContainer()
                for _ in 0..<position { _ = try elements.decode(Skip.self) }
                decoder = try elements.superDecoder()
            }
        }
        kind = Self.kind(of: decoder)
    }

    static func kind(of decoder: any Decoder) -> JSONKind {
        if let value = try? decoder.singleValueContainer() {
            if value.decodeNil() { return .null }
            if (try? value.decode(Bool.self)) != nil { return .boolean }
            if (try? value.decode(String.self)) != nil { return .string }
            if (try? value.decode(Double.self)) != nil { return .number }
        }
        return (try? decoder.unkeyedContainer()) != nil ? .array : .object
    }
}
