extension Configuration {
    /// Reads every setting from command-line flags and the environment, checks all of them, and
    /// throws every problem at once.
    ///
    /// - `flags` is keyed by the setting's primary variable name (the CLI maps `--registry-url` to
    ///   `REGISTRY_URL`). A flag wins over the environment; a flag given as an empty string means "unset".
    /// - For `DSTACK_URL`, the variable `DSTACK_URL` wins over `DSTACK_BACKEND_DSTACK_URL`.
    /// - Empty (or all-blank) environment values count as unset, as compose writes `VAR=` for blanks.
    ///
    /// Nothing here touches the network or the disk, so the CLI can call it before creating the key.
    public static func resolve(environment: [String: String], flags: [String: String]) throws(ConfigurationErrors)
        -> Configuration
    {
        var reader = SettingReader(environment: environment, flags: flags)
        for key in flags.keys.sorted() where setting(named: key) == nil {
            reader.errors.append(
                ConfigurationError(setting: key, message: "Error: \(key) is not a known setting (internal flag mapping)"))
        }
        var configuration = unsetDefaults
        for setting in settings {
            reader.read(setting, into: &configuration)
            setting.afterRead?(&reader)
        }
        reader.errors += configuration.combinationProblems(unread: reader.unread)
        guard reader.errors.isEmpty else {
            throw ConfigurationErrors(reader.errors)
        }
        configuration.sources = reader.sources
        return configuration
    }

    /// Only the settings named in `names` (flag, variables, default, as `resolve` reads them); every other
    /// property keeps its default. For subcommands that need one setting, e.g. `pubkey`'s `DATA_DIR`.
    public static func resolve(only names: Set<String>, environment: [String: String], flags: [String: String])
        throws(ConfigurationErrors) -> Configuration
    {
        var reader = SettingReader(environment: environment, flags: flags)
        var configuration = unsetDefaults
        for setting in settings where names.contains(setting.name) {
            reader.read(setting, into: &configuration)
        }
        guard reader.errors.isEmpty else {
            throw ConfigurationErrors(reader.errors)
        }
        configuration.sources = reader.sources
        return configuration
    }

    /// Settings that are each valid but wrong together; `unread` (wrong or missing) take no part.
    private func combinationProblems(unread: Set<String>) -> [ConfigurationError] {
        var problems: [ConfigurationError] = []
        guard !unread.contains("REGISTRY_URL") else { return problems }
        if !unread.contains("OWNER_ADDRESS"),
            let problem = EthereumAddress.demoOwnerProblem(owner: ownerAddress, registry: registryURL)
        {
            problems.append(problem)
        }
        if !unread.contains("REGISTRY_AUTH"), registryAuth == .nip98, registryURL.userinfo != nil {
            problems.append(
                .invalid(
                    "REGISTRY_URL",
                    "carries a user name and password, which cannot be sent with REGISTRY_AUTH=nip98 (both use the"
                        + " Authorization header): remove one of them"))
        }
        return problems
    }
}

/// Looks each setting up (flag, then variables in order, then default), parses it, and collects problems.
struct SettingReader {
    let environment: [String: String]
    let flags: [String: String]
    var errors: [ConfigurationError] = []
    var sources: [String: SettingSource] = [:]
    /// Settings whose text was wrong, or required and missing: their property holds no operator's value.
    var unread: Set<String> = []

    /// The text given for `setting`, the name to blame in errors, and where it came from; nil when unset.
    func given(_ setting: SettingDescriptor) -> (text: String, label: String, source: SettingSource)? {
        if let flag = flags[setting.name] {
            if flag.trimmingASCIIWhitespace().isEmpty { return nil }
            return (flag, setting.flagSpelling, .flag(setting.flagSpelling))
        }
        for name in setting.environmentNames {
            if let value = environment[name], !value.trimmingASCIIWhitespace().isEmpty {
                return (value, name, .environment(name))
            }
        }
        return nil
    }

    /// Parses the text given for `setting` into `configuration`; leaves the default when unset, and records
    /// the problem when the text is wrong or a required setting is missing.
    mutating func read(_ setting: SettingDescriptor, into configuration: inout Configuration) {
        guard let given = given(setting) else {
            if setting.isRequired {
                unread.insert(setting.name)
                errors.append(
                    ConfigurationError(
                        setting: setting.name,
                        message: "Error: \(setting.name) environment variable is required for worker registration"))
            }
            return
        }
        do {
            try setting.assign(given.text, given.label, &configuration)
            sources[setting.name] = given.source
        } catch {
            unread.insert(setting.name)
            errors.append(error)
        }
    }
}
