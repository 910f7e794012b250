/// What kind of machine this is, as the registry records it: `NODE_TYPE`, e.g. `node-H100x1`.
///
/// `auto` asks the daemon to derive it from the GPUs dstack reports (`node-{H100,H200,B200}x{count}`,
/// `CPU` for none), which happens after start-up; everything else is sent as written.
public enum NodeType: Sendable, Equatable, CustomStringConvertible {
    case explicit(String)
    case auto

    static let defaultValue = NodeType.explicit("node-H100x1")

    /// The longest name accepted; registries store it as a short label.
    static let maximumLength = 64

    /// Parses a token of `[A-Za-z0-9._-]`, or `auto` (any case).
    static func parse(_ text: String) throws(InvalidValue) -> NodeType {
        let value = text.trimmingASCIIWhitespace()
        guard !value.isEmpty else {
            throw InvalidValue("is empty: use a name such as node-H100x1, or auto")
        }
        if value.lowercased() == "auto" { return .auto }
        if let bad = value.unicodeScalars.first(where: { !isTokenScalar($0) }) {
            throw InvalidValue("\"\(text)\" contains \"\(Character(bad))\": use only letters, digits, '.', '_' and '-', e.g. node-H100x1")
        }
        guard value.utf8.count <= maximumLength else {
            throw InvalidValue("\"\(text)\" is longer than \(maximumLength) characters")
        }
        return .explicit(value)
    }

    private static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .explicit(let name): name
        case .auto: "auto"
        }
    }
}
