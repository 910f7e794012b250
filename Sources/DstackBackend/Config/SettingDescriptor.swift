/// One row of the settings table: the variable(s), the flag, a line of help, and how a value given as text
/// lands in `Configuration` (parsed, bounds checked, written through a key path).
///
/// `Configuration.settings` is the single list; resolve, the start-up log, the CLI's flags and help, and the
/// README check all loop over it. The default is the `Configuration` property's own, read through the key path.
public struct SettingDescriptor: Sendable {
    /// What happens when neither a flag nor a variable sets it.
    public enum Default: Sendable, Equatable {
        /// The property's default, shown as this text.
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
    /// One line for `--help` and the README.
    public let help: String
    /// Never printed: logs show only whether it is set.
    public let isSecret: Bool
    public let isRequired: Bool
    /// Parses `text` (blaming `label`, the variable or flag it came from) into the configuration.
    let assign: @Sendable (_ text: String, _ label: String, _ configuration: inout Configuration) throws(ConfigurationError) -> Void
    /// The value in `configuration` as logs and help show it; `(unset)` for an optional setting nobody set.
    let display: @Sendable (Configuration) -> String
    /// Extra checks once this setting is read, with errors in table order (e.g. `REGISTRY_URL` vs its old name).
    let afterRead: (@Sendable (inout SettingReader) -> Void)?

    /// A setting stored at `keyPath`: `parse` turns the operator's text into the value (with its bounds),
    /// `format` shows it.
    init<Value>(
        _ environmentNames: [String], flag: String, _ keyPath: WritableKeyPath<Configuration, Value> & Sendable,
        parse: @escaping @Sendable (String, String) throws(ConfigurationError) -> Value,
        format: @escaping @Sendable (Value) -> String, required: Bool = false, isSecret: Bool = false,
        help: String, afterRead: (@Sendable (inout SettingReader) -> Void)? = nil
    ) {
        precondition(!environmentNames.isEmpty)
        self.environmentNames = environmentNames
        self.flag = flag
        self.help = help
        self.isSecret = isSecret
        self.isRequired = required
        self.assign = { text, label, configuration throws(ConfigurationError) in
            configuration[keyPath: keyPath] = try parse(text, label)
        }
        self.display = { format($0[keyPath: keyPath]) }
        self.afterRead = afterRead
    }

    /// An optional setting stored at `keyPath`; nil (its default) means unset.
    init<Value>(
        _ environmentNames: [String], flag: String, _ keyPath: WritableKeyPath<Configuration, Value?> & Sendable,
        parse: @escaping @Sendable (String, String) throws(ConfigurationError) -> Value,
        format: @escaping @Sendable (Value) -> String, isSecret: Bool = false, help: String
    ) {
        self.init(
            environmentNames, flag: flag, keyPath, parse: { text, label throws(ConfigurationError) in try parse(text, label) },
            format: { $0.map(format) ?? SettingDescriptor.unsetText }, isSecret: isSecret, help: help)
    }

    /// What logs and help show for an optional setting nobody set.
    static let unsetText = "(unset)"

    /// The primary variable name, e.g. `DSTACK_URL`; also the key in `resolve(environment:flags:)`'s `flags`.
    public var name: String { environmentNames[0] }

    /// `--registry-url`.
    public var flagSpelling: String { "--" + flag }

    /// The default: the property's value in a configuration nobody set, `.unset` or `.required`.
    public var defaultValue: Default {
        if isRequired { return .required }
        let text = display(Configuration.unsetDefaults)
        return text == Self.unsetText ? .unset : .value(text)
    }

    /// The default for help text: the value, `(required)` or `(unset)`.
    public var defaultText: String {
        switch defaultValue {
        case .value(let text): text
        case .unset: Self.unsetText
        case .required: "(required)"
        }
    }

    /// The value `text` would give, shown as logs show it; throws what resolve would report.
    public func normalized(_ text: String) throws(ConfigurationError) -> String {
        var configuration = Configuration.unsetDefaults
        try assign(text, name, &configuration)
        return display(configuration)
    }
}

extension SettingDescriptor: Equatable {
    /// Rows are told apart by their variable names (the table checks they are unique).
    public static func == (lhs: SettingDescriptor, rhs: SettingDescriptor) -> Bool {
        lhs.environmentNames == rhs.environmentNames
    }
}
