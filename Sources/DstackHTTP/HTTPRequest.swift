/// HTTP methods we tell apart without making a String.
public enum HTTPMethod: Sendable, Equatable {
    case get, head, post, put, delete, options, patch, other

    static func from<C: Collection>(_ bytes: C) -> HTTPMethod where C.Element == UInt8 {
        switch bytes.count {
        case 3: bytes.elementsEqual("GET".utf8) ? .get : bytes.elementsEqual("PUT".utf8) ? .put : .other
        case 4: bytes.elementsEqual("HEAD".utf8) ? .head : bytes.elementsEqual("POST".utf8) ? .post : .other
        case 5: bytes.elementsEqual("PATCH".utf8) ? .patch : .other
        case 6: bytes.elementsEqual("DELETE".utf8) ? .delete : .other
        case 7: bytes.elementsEqual("OPTIONS".utf8) ? .options : .other
        default: .other
        }
    }
}

/// One parsed request: ranges into the bytes it arrived in, so the /health path makes no String.
public struct HTTPRequest: Sendable {
    /// The buffer the request lies in (shared with the connection; not copied).
    let storage: [UInt8]
    let methodRange: Range<Int>
    let pathRange: Range<Int>
    let queryRange: Range<Int>?
    let headerRange: Range<Int>
    let bodyRange: Range<Int>

    public let method: HTTPMethod
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    let minorVersion: Int
    /// Whether the connection stays open after the answer (version default and `Connection` header).
    let keepAlive: Bool

    var isHead: Bool { method == .head }

    /// Compares the path (without the query) with `literal`, without allocating.
    public func pathEquals(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard pathRange.count == count else { return false }
        return literal.withUTF8Buffer { literalBytes in
            storage.withUnsafeBufferPointer { buffer in
                var index = 0
                while index < count {
                    if buffer[pathRange.lowerBound + index] != literalBytes[index] { return false }
                    index += 1
                }
                return true
            }
        }
    }

    public var methodString: String { String(decoding: storage[methodRange], as: UTF8.self) }
    public var pathString: String { String(decoding: storage[pathRange], as: UTF8.self) }
    /// The query without `?`, empty for none.
    public var queryString: String { queryRange.map { String(decoding: storage[$0], as: UTF8.self) } ?? "" }
    public var body: [UInt8] { Array(storage[bodyRange]) }

    /// Every header, names lower-cased, values trimmed.
    public var headers: [(String, String)] {
        var result: [(String, String)] = []
        RequestParser.forEachHeader(storage, in: headerRange) { name, value in
            result.append((String(decoding: storage[name], as: UTF8.self).lowercased(), String(decoding: storage[value], as: UTF8.self)))
        }
        return result
    }

    /// The first header named `name` (ASCII case-insensitive); only the value found becomes a String.
    public func header(_ name: String) -> String? {
        let wanted = Array(name.utf8)
        var found: Range<Int>?
        RequestParser.forEachHeader(storage, in: headerRange) { nameRange, value in
            guard found == nil, nameRange.count == wanted.count else { return }
            for (offset, byte) in wanted.enumerated() where Self.lower(storage[nameRange.lowerBound + offset]) != Self.lower(byte) {
                return
            }
            found = value
        }
        return found.map { String(decoding: storage[$0], as: UTF8.self) }
    }

    /// `HTTP/1.0` or `HTTP/1.1`.
    var version: String { minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1" }

    private static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
}
