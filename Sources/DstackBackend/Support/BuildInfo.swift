public enum BuildInfo {
    /// The daemon's version (also the User-Agent and `--version`).
    public static let version = "0.1.0"
}
