extension OperatorCheck {
    /// The `registry` line of `check`, from `RegistryView`: fails on an unreachable registry or an owner
    /// mismatch; warns on an answer that suggests the wrong URL or missing authentication.
    static func registryResult(configuration: Configuration, http: HTTPClient, pubkey: String) -> Result {
        let client = RegistryClient(baseURL: configuration.registryURL, http: http)
        let view: RegistryView
        do {
            view = try RegistryView.fetch(
                client: client, pubkey: pubkey, owner: configuration.ownerAddress, nodeType: configuration.nodeType)
        } catch {
            return Result(
                name: "registry", status: .fail, detail: error.description,
                hint: registryHint(error, url: configuration.registryURL))
        }
        let detail = "\(configuration.registryURL): \(view.summary)"
        if view.ownerMismatch {
            return Result(name: "registry", status: .fail, detail: detail, hint: view.hint)
        }
        if case .notRegistered(let reason) = view.permissions, view.lookup.record == nil,
            let hint = registryRefusalHint(reason)
        {
            return Result(name: "registry", status: .warn, detail: detail, hint: hint)
        }
        return Result(name: "registry", status: .ok, detail: detail, hint: nil)
    }
}
