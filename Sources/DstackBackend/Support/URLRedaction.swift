/// Hides the credentials a URL may carry before it is printed anywhere.
///
/// `REGISTRY_URL` and `DSTACK_URL` may hold `user:password@` (HTTP Basic) or a query such as `?token=...`
/// (the VMM accepts its token that way). Every place that shows such a URL (configuration errors, the
/// start-up settings log, `check`, request errors, the poller's log) shows `redact(url)` instead:
/// `https://user:***@host/path?token=***`. Works on malformed text too, since errors quote what was typed.
enum URLRedaction {
    /// What stands in for a secret.
    static let mask = "***"

    /// `text` with the password of its user information and the value of every query parameter masked.
    ///
    /// `user:password@` becomes `user:***@`; user information without a `:` (a bare token) becomes `***@`;
    /// `?token=abc&json` becomes `?token=***&json` (a fragment's parameters likewise). Everything else is
    /// left as written.
    static func redact(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        if let schemeEnd = rest.firstRange(of: "://") {
            result += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
        }
        // The user information ends at the last `@` of the authority. A password with an unescaped `/`, `?`
        // or `#` (an invalid URL, but one an error message quotes) moves that `@` further on: then the last
        // `@` not preceded by a `=` (which would make it a query value) ends it, masking too much, not too little.
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var at = rest[..<authorityEnd].lastIndex(of: "@")
        if at == nil, let later = rest.lastIndex(of: "@"), !rest[..<later].contains("=") { at = later }
        if let at {
            let userinfo = rest[..<at]
            if let colon = userinfo.firstIndex(of: ":") {
                result += userinfo[..<colon] + ":" + mask
            } else {
                result += mask
            }
            result += "@"
            rest = rest[rest.index(after: at)...]
        }
        // From the query (or a fragment) on, every `name=value` shows `name=***`.
        guard let start = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return result + rest }
        result += rest[..<start]
        var masking = false
        for character in rest[start...] {
            switch character {
            case "?", "#", "&":
                masking = false
                result.append(character)
            case "=" where !masking:
                masking = true
                result += "=" + mask
            default:
                if !masking { result.append(character) }
            }
        }
        return result
    }

    /// `text` without its user information: the URL the server sees (for the NIP-98 `u` tag).
    static func withoutUserinfo(_ text: String) -> String {
        guard let schemeEnd = text.firstRange(of: "://") else { return text }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<schemeEnd.upperBound] + rest[rest.index(after: at)...])
    }
}
