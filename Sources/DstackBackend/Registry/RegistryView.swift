/// What the registry says about this worker, as `dstack-backend check` shows it: registered or not,
/// pending or authorized, the stored owner and node type, and whether the owner is ours.
///
/// Read-only: `GET /permissions/{pubkey}` and `GET /workers/{pubkey}`, never a POST.
struct RegistryView: Sendable, Equatable {
    let permissions: PermissionStatus
    let lookup: WorkerLookup
    let configuredOwner: EthereumAddress
    /// The configured node type; nil for `NODE_TYPE=auto`, which is derived at start.
    let configuredNodeType: String?

    /// Asks the registry (one request each, no retries: `check` reports, the daemon retries).
    static func fetch(client: RegistryClient, pubkey: String, owner: EthereumAddress, nodeType: NodeType)
        throws(RegistryError) -> RegistryView
    {
        let permissions = try client.permissions(pubkey: pubkey)
        let lookup = try client.worker(pubkey: pubkey)
        var configured: String?
        if case .explicit(let name) = nodeType { configured = name }
        return RegistryView(permissions: permissions, lookup: lookup, configuredOwner: owner, configuredNodeType: configured)
    }

    /// The registry holds another owner for this worker: the daemon will refuse to start.
    var ownerMismatch: Bool {
        guard let record = lookup.record else { return false }
        return !record.isOwned(by: configuredOwner)
    }

    /// One line: the state, then what the registry stores.
    var summary: String {
        var parts: [String] = []
        switch (permissions, lookup.record) {
        case (.registered, _):
            parts.append("registered and authorized (write AllowAll)")
        case (.notRegistered(let reason), .some):
            parts.append("registered, pending: the registry does not authorize it yet (\(reason)); the daemon serves meanwhile")
        case (.notRegistered(let reason), .none):
            parts.append("not registered (\(reason)): the daemon registers it at start")
        }
        switch lookup {
        case .found(let record):
            parts.append("stored owner \(record.printableOwner)\(ownerMismatch ? " is NOT OWNER_ADDRESS \(configuredOwner.checksummed)" : " (= OWNER_ADDRESS)")")
            parts.append("node type \(record.printableNodeType ?? "(none)")")
            if let configuredNodeType, record.nodeType(differingFrom: configuredNodeType) != nil {
                parts.append("NODE_TYPE \(configuredNodeType) differs (the registry keeps its own)")
            }
            parts.append(record.isMinted ? "minted" : "not minted yet")
        case .notFound:
            parts.append("no worker record at GET /workers/<pubkey>, so the owner cannot be compared")
        case .unusable(let reason):
            parts.append("GET /workers/<pubkey> gives no worker record (\(reason)), so the owner cannot be compared")
        }
        return parts.joined(separator: "; ")
    }

    /// What to do when the owner does not match.
    var hint: String? {
        guard ownerMismatch, let record = lookup.record else { return nil }
        return "the registry keeps the owner of the first registration and the daemon will refuse to start (exit 78): "
            + "set OWNER_ADDRESS to \(record.printableOwner) if that address is yours, otherwise ask the registry's "
            + "operator to correct it"
    }
}
