extension SettingDescriptor {
    /// A duration setting (`5`, `2.5`, `500ms`, `5s`, `2m`, `1h`), within `minimum` and `maximum` when given,
    /// shown as `5s`.
    static func duration(
        _ environmentNames: [String], flag: String, _ keyPath: WritableKeyPath<Configuration, Duration> & Sendable,
        minimum: DurationBound? = nil, maximum: DurationBound? = nil, help: String
    ) -> SettingDescriptor {
        SettingDescriptor(
            environmentNames, flag: flag, keyPath,
            parse: { text, setting throws(ConfigurationError) in
                try SettingParsers.duration(text, setting: setting, minimum: minimum, maximum: maximum)
            }, format: SettingParsers.format, help: help)
    }

    /// A whole-number setting from 1 (or `minimum` when given) to `maximum`.
    static func count(
        _ environmentNames: [String], flag: String, _ keyPath: WritableKeyPath<Configuration, Int> & Sendable,
        minimum: CountBound? = nil, maximum: Int, help: String
    ) -> SettingDescriptor {
        SettingDescriptor(
            environmentNames, flag: flag, keyPath,
            parse: { text, setting throws(ConfigurationError) in
                try SettingParsers.positiveInteger(text, setting: setting, minimum: minimum, maximum: maximum)
            }, format: { String($0) }, help: help)
    }
}
