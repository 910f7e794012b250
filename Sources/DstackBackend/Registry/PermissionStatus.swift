/// What `GET /permissions/{pubkey}` says about this worker.
public enum PermissionStatus: Sendable, Equatable {
    /// The registry lets the worker publish: `write.mode == "AllowAll"`, or the legacy `{"registered": true}`.
    case registered
    /// Anything else, with the reason in words (e.g. `HTTP 404`, `write mode is "Allow"`).
    case notRegistered(reason: String)

    var isRegistered: Bool { self == .registered }

    /// Reads a 2xx body: registered iff `write.mode` is `AllowAll` or `registered` is `true`.
    static func parse(_ body: [UInt8]) -> PermissionStatus {
        guard let answer = try? JSONDocument.decode(PermissionAnswer.self, from: body) else {
            return .notRegistered(reason: "the registry's answer is not valid JSON")
        }
        if answer.writeMode == "AllowAll" { return .registered }
        if answer.registered == true { return .registered }
        if let mode = answer.writeMode {
            // The registry's text, escaped (`PeerText`): `check` prints it to a terminal.
            return .notRegistered(reason: "write mode is \"\(RegistryError.printableBody(Array(mode.utf8)))\", not \"AllowAll\"")
        }
        if answer.registered == false {
            return .notRegistered(reason: "the registry answered registered=false")
        }
        return .notRegistered(reason: "the registry's answer grants no write permission")
    }
}

/// The fields of a `/permissions` answer that decide, read leniently: any JSON decodes, and a field that is
/// missing or of another kind is nil.
private struct PermissionAnswer: Decodable {
    enum CodingKeys: String, CodingKey {
        case write, registered
    }

    enum WriteKeys: String, CodingKey {
        case mode
    }

    /// `write.mode`.
    let writeMode: String?
    /// The legacy `registered` flag.
    let registered: Bool?

    init(from decoder: any Decoder) throws {
        let fields = try? decoder.container(keyedBy: CodingKeys.self)
        let write = try? fields?.nestedContainer(keyedBy: WriteKeys.self, forKey: .write)
        writeMode = write?.lenient(String.self, forKey: .mode)
        registered = fields?.lenient(Bool.self, forKey: .registered)
    }
}
