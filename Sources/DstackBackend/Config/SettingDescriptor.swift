/// One row of the settings table: the variable(s), the flag, the default and a line of help.
///
/// `Configuration.settings` is the single list: `--help`, the flags, the start-up log and the README check loop
/// over it, and `Configuration.read` reads each row's value by its name.
public struct SettingDescriptor: Sendable, Equatable {
    /// Variable names in precedence order; the first is the setting's name and its key in `resolve`'s `flags`.
    let environmentNames: [String]
    /// The flag without dashes, e.g. `registry-url` for `--registry-url`.
    public let flag: String
    /// The default as help and the log show it: a value (`5s`), `(unset)` or `(required)`.
    public let defaultText: String
    /// Never printed: logs show only whether it is set.
    let isSecret: Bool
    /// The later variables are older names of the first: set to a different value, they are an error rather
    /// than ignored (`AUTH_SERVICE_URL`; compose's `DSTACK_BACKEND_DSTACK_URL` just loses to `DSTACK_URL`).
    let namesMustAgree: Bool
    /// One line for `--help` and the README.
    public let help: String

    init(
        _ environmentNames: [String], flag: String, default defaultText: String, isSecret: Bool = false,
        namesMustAgree: Bool = false, help: String
    ) {
        self.environmentNames = environmentNames
        self.flag = flag
        self.defaultText = defaultText
        self.isSecret = isSecret
        self.namesMustAgree = namesMustAgree
        self.help = help
    }

    /// The primary variable name, e.g. `DSTACK_URL`.
    public var name: String { environmentNames[0] }

    /// `--registry-url`.
    public var flagSpelling: String { "--" + flag }

    var isRequired: Bool { defaultText == "(required)" }
}
