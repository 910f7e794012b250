extension SettingReader {
    /// `REGISTRY_URL` and `AUTH_SERVICE_URL` (the reference v0.2's name for it) may not name two registries.
    ///
    /// Either one alone is fine, and so are both with the same URL; `--registry-url` overrides both.
    mutating func checkRegistryURLNames() {
        if let flag = flags["REGISTRY_URL"], !flag.trimmingASCIIWhitespace().isEmpty { return }
        guard let primary = given("REGISTRY_URL"), let alias = given("AUTH_SERVICE_URL"),
            Self.normalized(primary) != Self.normalized(alias)
        else { return }
        errors.append(
            ConfigurationError(
                setting: "REGISTRY_URL",
                message: "Error: REGISTRY_URL \"\(URLRedaction.redact(primary))\" and AUTH_SERVICE_URL "
                    + "\"\(URLRedaction.redact(alias))\" are both set and differ; "
                    + "AUTH_SERVICE_URL is the older name of the same setting: keep only REGISTRY_URL"))
    }

    private func given(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingASCIIWhitespace(), !value.isEmpty else { return nil }
        return value
    }

    /// Equal registries compare equal: a trailing `/` does not count as a difference, but a different password
    /// or token does, so this is the unmasked text (never printed).
    private static func normalized(_ text: String) -> String {
        (try? HTTPURL.parse(text, setting: "REGISTRY_URL"))?.appending("") ?? text
    }
}
