/// Text a peer wrote (a VMM's error message, a registry's body), made safe for a log line or `/health`.
///
/// The one place that decides which characters may not reach a log raw: C0 controls and DEL, C1 controls
/// (U+0080–U+009F, NEL U+0085 among them), the line and paragraph separators U+2028/U+2029, and the bidi
/// controls (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, marks U+200E, U+200F,
/// U+061C), which can split a line for a log reader or make it read backwards on a terminal.
public enum PeerText {
    /// Whether `scalar` must be escaped or folded before it is printed.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1f, 0x7f...0x9f, 0x2028, 0x2029, 0x202a...0x202e, 0x2066...0x2069, 0x200e, 0x200f, 0x061c:
            true
        default:
            false
        }
    }

    /// Whether `scalar` spaces or breaks a line, or is a C0 control or DEL: folded into one space by `oneLine`.
    static func isFolded(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x20, 0x7f, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// `text` with every unsafe character written as an escape (`\n`, `\r`, `\t`, else `\uXXXX`).
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        return render(text, folding: false, limit: .max)
    }

    /// A peer's `bytes` (a registry's body) escaped like `escaped(_:)`: at most `maximumBytes` of them are
    /// shown, invalid UTF-8 becomes U+FFFD, and a cut body ends with `... (<n> bytes in all)`.
    public static func escaped<Bytes: Collection<UInt8>>(_ bytes: Bytes, maximumBytes: Int) -> String {
        let shown = bytes.prefix(maximumBytes)
        var text = escaped(String(decoding: shown, as: UTF8.self))
        if bytes.count > shown.count {
            text += "... (\(bytes.count) bytes in all)"
        }
        return text
    }

    /// `text` as one short line: runs of spaces, line breaks and C0 controls become one space, other unsafe
    /// characters are escaped, and the result is cut at `limit` characters with `…`.
    public static func oneLine(_ text: String, limit: Int) -> String {
        render(text, folding: true, limit: limit)
    }

    /// A peer's `bytes` (a VMM's body) as one short line like `oneLine(_:limit:)`, invalid UTF-8 as U+FFFD.
    /// Only the first `4 * limit` bytes are decoded (`limit` characters at most 4 bytes each), so a huge body
    /// costs nothing.
    public static func oneLine<Bytes: Collection<UInt8>>(_ bytes: Bytes, limit: Int) -> String {
        oneLine(String(decoding: bytes.prefix(limit * 4), as: UTF8.self), limit: limit)
    }

    /// The one sanitizing pass: unsafe characters escaped, with `folding` runs of `isFolded` characters as one
    /// space, cut with `…` where the next piece would pass `limit` characters.
    private static func render(_ text: String, folding: Bool, limit: Int) -> String {
        var line = ""
        var pendingSpace = false
        var count = 0
        for scalar in text.unicodeScalars {
            if folding && isFolded(scalar) {
                pendingSpace = !line.isEmpty
                continue
            }
            let piece = isUnsafe(scalar) ? escape(scalar) : String(scalar)
            let length = piece.unicodeScalars.count + (pendingSpace ? 1 : 0)
            if count + length > limit {
                line += "…"
                break
            }
            if pendingSpace {
                line += " "
                pendingSpace = false
            }
            line += piece
            count += length
        }
        return line
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            return String(decoding: Hex.unicodeEscape(UInt16(truncatingIfNeeded: scalar.value)), as: UTF8.self)
        }
    }
}
