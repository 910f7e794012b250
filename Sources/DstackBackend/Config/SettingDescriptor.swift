/// One setting as the operator sees it: its variable(s), its flag, its default and a line of help.
///
/// `Configuration.settings` is the single list; the CLI builds its flags from it and the README its table.
public struct SettingDescriptor: Sendable, Equatable {
    /// What happens when neither a flag nor a variable sets it.
    public enum Default: Sendable, Equatable {
        /// This text is parsed like an operator's value.
        case value(String)
        /// The setting stays unset (the feature is off or detected).
        case unset
        /// Start-up refuses to continue.
        case required
    }

    /// Variable names in precedence order; the first is the setting's name and its flag key.
    public let environmentNames: [String]
    /// The flag without dashes, e.g. `registry-url` for `--registry-url`.
    public let flag: String
    public let defaultValue: Default
    /// One line for `--help` and the README.
    public let help: String
    /// Never printed: logs show only whether it is set.
    public let isSecret: Bool

    public init(_ environmentNames: [String], flag: String, default defaultValue: Default, help: String, isSecret: Bool = false) {
        precondition(!environmentNames.isEmpty)
        self.environmentNames = environmentNames
        self.flag = flag
        self.defaultValue = defaultValue
        self.help = help
        self.isSecret = isSecret
    }

    /// The primary variable name, e.g. `DSTACK_URL`; also the key in `resolve(environment:flags:)`'s `flags`.
    public var name: String { environmentNames[0] }

    /// `--registry-url`.
    public var flagSpelling: String { "--" + flag }

    /// The default for help text: the value, `(required)` or `(unset)`.
    public var defaultText: String {
        switch defaultValue {
        case .value(let text): text
        case .unset: "(unset)"
        case .required: "(required)"
        }
    }
}
