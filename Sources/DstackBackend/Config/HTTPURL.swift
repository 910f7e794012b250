/// An absolute `http://` or `https://` URL, checked at start-up so nothing downstream handles raw strings.
///
/// The trailing `/` is stripped, so paths are appended as `base + "/permissions/..."`.
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable { case http, https }

    public let scheme: Scheme
    /// Host as written (an IPv6 literal without brackets).
    public let host: String
    public let port: UInt16?
    /// Path prefix without a trailing `/` (empty for none).
    public let path: String

    /// Parses `text`; `setting` names the variable in errors.
    public static func parse(_ text: String, setting: String) throws(ConfigurationError) -> HTTPURL {
        let value = text.trimmingASCIIWhitespace()
        guard let schemeEnd = value.firstRange(of: "://") else {
            throw .invalid(setting, "\"\(text)\" is not a URL: use http://host:port or https://host")
        }
        guard let scheme = Scheme(rawValue: value[..<schemeEnd.lowerBound].lowercased()) else {
            throw .invalid(
                setting, "\"\(text)\" has the scheme \"\(value[..<schemeEnd.lowerBound])\"; only http and https are supported")
        }
        var rest = value[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") {
            throw .invalid(setting, "\"\(text)\" must not have a query or fragment")
        }
        if rest.contains(where: { $0 == " " || $0 == "\t" || $0 == "\\" }) {
            throw .invalid(setting, "\"\(text)\" contains whitespace or a backslash")
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if authority.contains("@") {
            throw .invalid(setting, "\"\(text)\" must not carry a user name or password")
        }
        var host: String
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw .invalid(setting, "\"\(text)\" has an unclosed '[' in its host")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            guard IPAddressText.isIPv6(host) else {
                throw .invalid(setting, "\"\(text)\": \"\(host)\" is not an IPv6 address")
            }
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw .invalid(setting, "\"\(text)\" has text after the IPv6 address")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else {
            throw .invalid(setting, "\"\(text)\" has no host")
        }
        if !host.contains(":") {
            guard IPAddressText.isIPv4(host) || IPAddressText.isHostName(host) else {
                throw .invalid(setting, "\"\(text)\": \"\(host)\" is not a valid host name or IPv4 address")
            }
        }
        var port: UInt16?
        if let portText {
            guard let number = UInt16(portText), number >= 1 else {
                throw .invalid(setting, "\"\(text)\": the port must be a number from 1 to 65535")
            }
            port = number
        }
        var path = String(rest)
        while path.hasSuffix("/") { path.removeLast() }
        return HTTPURL(scheme: scheme, host: host, port: port, path: path)
    }

    public init(scheme: Scheme, host: String, port: UInt16?, path: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
    }

    /// `scheme://host[:port][/path]`, no trailing slash.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let portPart = port.map { ":\($0)" } ?? ""
        return "\(scheme.rawValue)://\(hostPart)\(portPart)\(path)"
    }

    /// The URL of `path` (which starts with `/`) below this one.
    public func appending(_ path: String) -> String {
        description + path
    }
}
