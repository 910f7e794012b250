/// `--help` text wrapped before swift-argument-parser sees it.
///
/// The parser rewraps every line of a command's discussion that is wider than the terminal (80 columns when
/// it cannot tell) and starts the rest at column 0, breaking indented tables and lists. Lines from here are
/// at most `width` columns, so it leaves them alone, and a wrapped line keeps the indentation it belongs to.
public enum HelpText {
    /// The widest line: two columns under the parser's 80-column default.
    public static let width = 78

    /// `text` wrapped at spaces into lines of at most `width` columns: the first indented by `indent`, the
    /// rest by `hanging` (default: `indent`). A word longer than a line stands alone on its line.
    public static func wrap(_ text: String, indent: Int = 0, hanging: Int? = nil, width: Int = width) -> [String] {
        let hanging = hanging ?? indent
        var lines: [String] = []
        var line = String(repeating: " ", count: indent)
        var lineHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if lineHasWord && line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: hanging)
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        if lineHasWord || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Paragraphs of prose for a discussion, each wrapped with `indent`, a blank line between them.
    public static func paragraphs(_ paragraphs: [String], indent: Int = 2) -> String {
        paragraphs.map { wrap($0, indent: indent).joined(separator: "\n") }.joined(separator: "\n\n")
    }
}
