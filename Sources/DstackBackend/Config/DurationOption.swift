/// The one duration syntax, for command-line options that are not settings (`healthcheck --timeout`,
/// `demo --poll-interval`): `5`, `2.5`, `500ms`, `5s`, `2m` or `1h`, positive, finite, at most a year.
///
/// Shares `SettingParsers.duration` so every duration the daemon accepts has the same forms and limits;
/// `nan`, `inf` and `1e300` are refused with a message, never turned into a crash further down.
public enum DurationOption {
    /// Seconds, or a `ConfigurationError` whose message starts `Error: <option> "<text>" …`.
    public static func parse(_ text: String, option: String) throws(ConfigurationError) -> Double {
        try SettingParsers.duration(text, setting: option).inSeconds
    }
}
