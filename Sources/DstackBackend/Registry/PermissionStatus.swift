/// What `GET /permissions/{pubkey}` says about this worker.
public enum PermissionStatus: Sendable, Equatable {
    /// The registry lets the worker publish: `write.mode == "AllowAll"`, or the legacy `{"registered": true}`.
    case registered
    /// Anything else, with the reason in words (e.g. `HTTP 404`, `write mode is "Allow"`).
    case notRegistered(reason: String)

    public var isRegistered: Bool { self == .registered }

    /// Reads a 2xx body: registered iff `write.mode` is `AllowAll` or `registered` is `true`.
    static func parse(_ body: [UInt8]) -> PermissionStatus {
        guard let json = try? JSONValue.parse(body) else {
            return .notRegistered(reason: "the registry's answer is not valid JSON")
        }
        if json["write"]?["mode"]?.stringValue == "AllowAll" { return .registered }
        if json["registered"]?.boolValue == true { return .registered }
        if let mode = json["write"]?["mode"]?.stringValue {
            // The registry's text, escaped (`PeerText`): `check` prints it to a terminal.
            return .notRegistered(reason: "write mode is \"\(RegistryError.printableBody(Array(mode.utf8)))\", not \"AllowAll\"")
        }
        if json["registered"]?.boolValue == false {
            return .notRegistered(reason: "the registry answered registered=false")
        }
        return .notRegistered(reason: "the registry's answer grants no write permission")
    }
}
