/// One thing wrong with the configuration, worded for the operator.
///
/// Start-up collects all of them and prints one line each before exiting, so a fix takes one round.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The setting at fault, e.g. `LISTEN_ADDR`.
    public let setting: String
    /// The full line to print, e.g. `Error: LISTEN_ADDR "x" has no port; use host:port such as 0.0.0.0:8080`.
    public let message: String

    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }

    /// `Error: <setting> <problem>`, the shape of the reference's messages.
    public static func invalid(_ setting: String, _ problem: String) -> ConfigurationError {
        ConfigurationError(setting: setting, message: "Error: \(setting) \(problem)")
    }

    public var description: String { message }
}
