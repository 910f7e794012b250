import FoundationEssentials

/// Decodes a peer's JSON into a `Decodable` type: strict syntax and limits first (`JSONSyntax`), then
/// `JSONDecoder`, with its errors turned into one line that names the field (`gpus[2].is_free`).
public enum JSONDocument {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(JSONDecodeError) -> T {
        do {
            try JSONSyntax.validate(bytes)
        } catch {
            throw .syntax(error)
        }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw JSONDecodeError(error)
        } catch {
            throw .unreadable(path: "", reason: "\(error)")
        }
    }
}

/// Why a JSON document did not decode: its syntax, or the first field that is missing or of the wrong kind.
public enum JSONDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not JSON, or over the size or depth limit.
    case syntax(JSONParseError)
    /// A required member is absent; `path` names it (`gpus[0].slot`).
    case missing(path: String)
    /// A value is not the kind the type needs; `path` is empty for the document itself.
    case wrongKind(path: String, expected: JSONKind, found: JSONKind)
    /// A value of the right kind that `JSONDecoder` cannot read (a lone surrogate in a string, a number
    /// beyond the type's range).
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .syntax(let error): error.description
        case .missing(let path): "\(path) is missing"
        case .wrongKind(let path, let expected, let found):
            "\(Self.subject(path)) must be \(expected), got \(found)"
        case .unreadable(let path, let reason): "\(Self.subject(path)) cannot be read: \(reason)"
        }
    }

    /// Reads `error`'s coding path and the kind `JSONDecoder` found there.
    init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self = .missing(path: Self.path(context.codingPath + [key]))
        case .typeMismatch(let type, let context):
            let found = JSONKind(reportedIn: context.debugDescription) ?? .null
            self = .wrongKind(path: Self.path(context.codingPath), expected: JSONKind(expecting: type), found: found)
        case .valueNotFound(let type, let context):
            // JSONDecoder's word for finding null where a value must be.
            self = .wrongKind(path: Self.path(context.codingPath), expected: JSONKind(expecting: type), found: .null)
        case .dataCorrupted(let context):
            // The syntax was checked first: what is left is a value the type refuses. JSONDecoder names
            // neither the value nor its path for those it reads lazily (strings, numbers), so say which.
            let reason = context.codingPath.isEmpty
                ? "a string with a lone surrogate escape (\\ud800-\\udfff), or a number beyond its type's range"
                : context.debugDescription
            self = .unreadable(path: Self.path(context.codingPath), reason: reason)
        @unknown default:
            self = .unreadable(path: "", reason: "\(error)")
        }
    }

    private static func subject(_ path: String) -> String {
        path.isEmpty ? "the document" : path
    }

    /// `gpus[2].is_free`: keys joined with dots, array positions in brackets.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let position = key.intValue {
                text += "[\(position)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }
}
