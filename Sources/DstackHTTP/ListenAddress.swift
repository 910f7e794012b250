import DstackCore

#if canImport(Glibc)
import Glibc
#endif

/// Where the HTTP server listens: `LISTEN_ADDR`.
///
/// `host:port` with an IPv4 literal, a bracketed IPv6 literal or a host name (resolved once, when binding),
/// or `unix:/absolute/path` for a Unix socket.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case inet(host: String, port: UInt16)
    case unix(path: String)

    public static let defaultValue = ListenAddress.inet(host: "0.0.0.0", port: 8080)

    public var description: String {
        switch self {
        case .inet(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }

    /// Parses `text` as `LISTEN_ADDR` takes it.
    public static func parse(_ text: String) throws(InvalidValue) -> ListenAddress {
        let value = text.trimmingASCIIWhitespace()
        if value.hasPrefix("unix:") {
            let path = String(value.dropFirst("unix:".count))
            guard path.hasPrefix("/"), path.count > 1 else {
                throw InvalidValue("\"\(text)\" must be unix:/absolute/path")
            }
            if let problem = UnixSocketAddress.problem(with: path) {
                throw InvalidValue("\"\(text)\": \(problem)")
            }
            return .unix(path: path)
        }
        let host: String
        let portText: String
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else {
                throw InvalidValue("\"\(text)\" has an unclosed '[': use [IPv6]:port such as [::]:8080")
            }
            host = String(value[value.index(after: value.startIndex)..<close])
            let rest = value[value.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw InvalidValue("\"\(text)\" has no port: use [IPv6]:port such as [::]:8080")
            }
            portText = String(rest.dropFirst())
            guard IPAddressText.isIPv6(host) else {
                throw InvalidValue("\"\(text)\": \"\(host)\" is not an IPv6 address")
            }
        } else {
            guard let colon = value.lastIndex(of: ":") else {
                throw InvalidValue("\"\(text)\" has no port: use host:port such as 0.0.0.0:8080")
            }
            host = String(value[..<colon])
            portText = String(value[value.index(after: colon)...])
            guard !host.contains(":") else {
                throw InvalidValue("\"\(text)\": write an IPv6 address in brackets, e.g. [::1]:8080")
            }
            guard !host.isEmpty else {
                throw InvalidValue("\"\(text)\" has no host: use 0.0.0.0:\(portText) to listen everywhere")
            }
            guard IPAddressText.isIPv4(host) || IPAddressText.isHostName(host) else {
                throw InvalidValue("\"\(text)\": \"\(host)\" is neither an IPv4 address nor a host name")
            }
        }
        guard let port = UInt16(portText), port >= 1 else {
            throw InvalidValue("\"\(text)\": the port must be a number from 1 to 65535")
        }
        return .inet(host: host, port: port)
    }
}

/// Syntax checks for address literals and host names (no resolving).
public enum IPAddressText {
    public static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
                && !(part.count > 1 && part.hasPrefix("0"))
        }
    }

    public static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    /// RFC 1123 host name: labels of letters, digits and '-', 1-63 bytes each, 253 at most.
    public static func isHostName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") }
        }
    }
}
