/// An absolute `http://` or `https://` URL, checked at start-up so nothing downstream handles raw strings.
///
/// The trailing `/` is stripped, so paths are appended as `base + "/permissions/..."`. It may carry
/// credentials, `user:password@` (sent as HTTP Basic by libcurl) or a query such as `?token=...` (added to
/// every request): `description` and every error show them masked (see `URLRedaction`).
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    enum Scheme: String, Sendable { case http, https }

    let scheme: Scheme
    /// Host as written (an IPv6 literal without brackets).
    let host: String
    let port: UInt16?
    /// Path prefix without a trailing `/` (empty for none).
    let path: String
    /// `user[:password]` as written (percent-encoded), or nil. Never printed.
    var userinfo: String?
    /// The query as written, without the `?`, or nil; added to every request's query. Printed masked.
    var query: String?

    /// Parses `text`.
    ///
    /// `alsoAccepted` is the form the setting takes besides http(s) (`DSTACK_URL`'s `unix:/path/vmm.sock`,
    /// parsed by its caller): the scheme errors name it, and `setting`, so an operator learns every form that works.
    static func parse(_ written: String, setting: String, alsoAccepted: String? = nil) throws(InvalidValue)
        -> HTTPURL
    {
        let value = written.trimmingASCIIWhitespace()
        // Errors quote what was typed, credentials masked.
        let text = URLRedaction.redact(written)
        let forms = alsoAccepted.map { "http://host:port, https://host or \($0)" } ?? "http://host:port or https://host"
        guard let schemeEnd = value.firstRange(of: "://") else {
            throw InvalidValue("\"\(text)\" is not a URL: use \(forms)")
        }
        guard let scheme = Scheme(rawValue: value[..<schemeEnd.lowerBound].lowercased()) else {
            let supported = alsoAccepted.map { "\(setting) takes http, https or \($0)" } ?? "only http and https are supported"
            throw InvalidValue("\"\(text)\" has the scheme \"\(value[..<schemeEnd.lowerBound])\"; \(supported)")
        }
        var rest = value[schemeEnd.upperBound...]
        if rest.contains("#") {
            throw InvalidValue("\"\(text)\" must not have a fragment (#...)")
        }
        let isControl = { (c: Character) in c.asciiValue.map { $0 < 0x20 || $0 == 0x7f } == true }
        if rest.contains(where: { $0 == " " || $0 == "\t" || $0 == "\\" || isControl($0) }) {
            throw InvalidValue("\"\(text)\" contains whitespace, a control character or a backslash")
        }
        var query: String?
        if let question = rest.firstIndex(of: "?") {
            let queryText = rest[rest.index(after: question)...]
            query = queryText.isEmpty ? nil : String(queryText)
            rest = rest[..<question]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        var userinfo: String?
        if let at = authority.lastIndex(of: "@") {
            guard at != authority.startIndex, !authority[..<at].hasPrefix(":") else {
                throw InvalidValue("\"\(text)\" has an empty user name before '@'")
            }
            userinfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        var host: String
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw InvalidValue("\"\(text)\" has an unclosed '[' in its host")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            guard IPAddressText.isIPv6(host) else {
                throw InvalidValue("\"\(text)\": \"\(host)\" is not an IPv6 address")
            }
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw InvalidValue("\"\(text)\" has text after the IPv6 address")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else {
            throw InvalidValue("\"\(text)\" has no host")
        }
        if !host.contains(":") {
            guard IPAddressText.isIPv4(host) || IPAddressText.isHostName(host) else {
                throw InvalidValue("\"\(text)\": \"\(host)\" is not a valid host name or IPv4 address")
            }
        }
        var port: UInt16?
        if let portText {
            guard let number = UInt16(portText), number >= 1 else {
                throw InvalidValue("\"\(text)\": the port must be a number from 1 to 65535")
            }
            port = number
        }
        var path = String(rest)
        while path.hasSuffix("/") { path.removeLast() }
        return HTTPURL(scheme: scheme, host: host, port: port, path: path, userinfo: userinfo, query: query)
    }

    /// `scheme://[user:***@]host[:port][/path][?name=***]`, no trailing slash: safe to print.
    public var description: String {
        URLRedaction.redact(origin + path + (query.map { "?" + $0 } ?? ""))
    }

    /// `scheme://[userinfo@]host[:port]`, credentials included.
    private var origin: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let portPart = port.map { ":\($0)" } ?? ""
        let userPart = userinfo.map { $0 + "@" } ?? ""
        return "\(scheme.rawValue)://\(userPart)\(hostPart)\(portPart)"
    }

    /// The URL of `path` (which starts with `/` and may have its own query) below this one, credentials
    /// and this URL's query included: for requests only; print `URLRedaction.redact` of it.
    func appending(_ path: String) -> String {
        var url = origin + self.path + path
        if let query { url += (path.contains("?") ? "&" : "?") + query }
        return url
    }
}
