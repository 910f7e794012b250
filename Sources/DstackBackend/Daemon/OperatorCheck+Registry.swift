extension OperatorCheck {
    /// The `registry` line of `check`: fails on an unreachable registry or an owner mismatch.
    static func registryResult(configuration: Configuration, http: HTTPClient, pubkey: String) -> Result {
        let client = RegistryClient(baseURL: configuration.registryURL, http: http)
        do {
            let view = try RegistryView.fetch(
                client: client, pubkey: pubkey, owner: configuration.ownerAddress, nodeType: configuration.nodeType)
            return Result(name: "registry", passed: !view.ownerMismatch, detail: "\(configuration.registryURL): \(view.summary)", hint: view.hint)
        } catch {
            return Result(name: "registry", passed: false, detail: error.description, hint: "check REGISTRY_URL (scheme, host, port) and that this host can reach it")
        }
    }
}
