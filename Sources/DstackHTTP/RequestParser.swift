/// Why a request is refused; each maps to a status, and the connection closes after it.
public enum RequestError: Error, Sendable, Equatable {
    /// Request line + headers over the limit, or too many headers: 431.
    case headerTooLarge
    case tooManyHeaders
    /// Content-Length over the limit: 413.
    case bodyTooLarge
    /// Anything malformed or ambiguous (the request-smuggling cases): 400.
    case badRequest(String)
    /// A version other than HTTP/1.0 or 1.1: 505.
    case versionNotSupported

    public var status: Int {
        switch self {
        case .headerTooLarge, .tooManyHeaders: 431
        case .bodyTooLarge: 413
        case .badRequest: 400
        case .versionNotSupported: 505
        }
    }

    /// The answer sent before the connection closes.
    var response: PreparedResponse {
        switch self {
        case .headerTooLarge, .tooManyHeaders: Self.headerTooLargeResponse
        case .bodyTooLarge: Self.bodyTooLargeResponse
        case .badRequest: Self.badRequestResponse
        case .versionNotSupported: Self.versionNotSupportedResponse
        }
    }

    private static let headerTooLargeResponse = PreparedResponse.jsonError(status: 431, message: "request header fields too large")
    private static let bodyTooLargeResponse = PreparedResponse.jsonError(status: 413, message: "request body too large")
    private static let badRequestResponse = PreparedResponse.jsonError(status: 400, message: "bad request")
    private static let versionNotSupportedResponse = PreparedResponse.jsonError(status: 505, message: "HTTP version not supported")
}

/// The result of looking at the bytes received so far.
public enum ParseResult: Sendable {
    /// Not a whole request yet.
    case incomplete
    /// A whole request, which ends at `end` (the next one may follow).
    case request(HTTPRequest, end: Int)
    case failure(RequestError)
}

/// How far an incomplete request was already looked at; see `RequestParser.parse(_:from:limits:progress:)`.
public struct ParseProgress: Sendable, Equatable {
    /// Bytes from the request's start already scanned without finding the end of the head or a problem.
    var scanned = 0
    /// Once the head parsed: the whole request's length from its start (head + body); 0 before.
    var needed = 0
    /// The head parsed, asks `Expect: 100-continue` (HTTP/1.1), and the body has not all arrived.
    var expectsContinue = false
    /// Set by the server once it sent the interim `100 Continue`.
    var continueSent = false

    public init() {}
}

/// A strict HTTP/1.x request parser: a pure function of the bytes, so it can be tested and fuzzed alone.
///
/// Strict where leniency lets requests be smuggled: CRLF line ends only (a bare CR or LF is refused),
/// no obs-fold, no whitespace before a header's colon, one Content-Length value, no Transfer-Encoding
/// (we accept no chunked bodies), a Host header on HTTP/1.1.
public enum RequestParser {
    /// Parses the request starting at `start` in `buffer` (bytes before `start` are ignored).
    public static func parse(_ buffer: [UInt8], from start: Int = 0, limits: ServerLimits) -> ParseResult {
        var progress = ParseProgress()
        return parse(buffer, from: start, limits: limits, progress: &progress)
    }

    /// Parses incrementally: `progress` remembers, between calls for the same request, how much was already
    /// scanned, so a request trickling in byte by byte costs linear time, not quadratic.
    ///
    /// Start each request with a fresh `ParseProgress()`; keep passing the same one while the result is
    /// `.incomplete` and `start` stays put (more bytes may be appended to `buffer`, and bytes before `start`
    /// may be dropped if `start` is moved back by the same amount: progress counts from `start`).
    public static func parse(
        _ buffer: [UInt8], from start: Int, limits: ServerLimits, progress: inout ParseProgress
    ) -> ParseResult {
        if progress.needed > 0 && buffer.count - start < progress.needed { return .incomplete }
        return buffer.withUnsafeBufferPointer { bytes in
            parse(bytes, storage: buffer, start: start, limits: limits, progress: &progress)
        }
    }

    private static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, storage: [UInt8], start: Int, limits: ServerLimits,
        progress: inout ParseProgress
    ) -> ParseResult {
        let end = bytes.count
        // Find the end of the head (CRLF CRLF) within the limit, from where the last call stopped.
        let searchEnd = min(end, start + limits.maxHeaderBytes)
        var headEnd = -1
        var index = max(start, start + progress.scanned - 3)
        while index + 3 < searchEnd {
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                headEnd = index + 4
                break
            }
            index += 1
        }
        // Bare CR/LF and NUL in the head (or in what arrived of it, within the limit) are refused first, so
        // the answer does not depend on how the bytes were split into reads.
        let from = max(start, start + progress.scanned - 1)
        if let problem = earlyProblem(bytes, start: start, from: from, end: headEnd < 0 ? searchEnd : headEnd) {
            return .failure(problem)
        }
        if headEnd < 0 {
            if end - start >= limits.maxHeaderBytes { return .failure(.headerTooLarge) }
            progress.scanned = end - start
            return .incomplete
        }

        // Request line: METHOD SP target SP HTTP/x.y CRLF
        var position = start
        let methodStart = position
        while position < headEnd && isTokenByte(bytes[position]) { position += 1 }
        guard position > methodStart, bytes[position] == 32 else { return .failure(.badRequest("malformed request line")) }
        let methodRange = methodStart..<position
        position += 1
        let targetStart = position
        while position < headEnd && bytes[position] > 32 && bytes[position] < 127 { position += 1 }
        guard position > targetStart, bytes[position] == 32 else { return .failure(.badRequest("malformed request target")) }
        let targetEnd = position
        position += 1
        let versionStart = position
        while position < headEnd && bytes[position] != 13 && bytes[position] != 10 { position += 1 }
        guard bytes[position] == 13, bytes[position + 1] == 10 else { return .failure(.badRequest("bare CR or LF")) }
        let minorVersion: Int
        switch version(bytes, versionStart..<position) {
        case .some(let minor): minorVersion = minor
        case .none:
            return looksLikeVersion(bytes, versionStart..<position)
                ? .failure(.versionNotSupported) : .failure(.badRequest("malformed HTTP version"))
        }
        position += 2

        // Path and query from an origin-form (or absolute-form, or `*`) target.
        var pathStart = targetStart
        if bytes[targetStart] != UInt8(ascii: "/") {
            if targetEnd - targetStart == 1 && bytes[targetStart] == UInt8(ascii: "*") {
                pathStart = targetStart
            } else if let afterScheme = absoluteFormPathStart(bytes, targetStart..<targetEnd) {
                pathStart = afterScheme
            } else {
                return .failure(.badRequest("request target must start with /"))
            }
        }
        var pathEnd = pathStart
        while pathEnd < targetEnd && bytes[pathEnd] != UInt8(ascii: "?") && bytes[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
        var queryRange: Range<Int>?
        if pathEnd < targetEnd && bytes[pathEnd] == UInt8(ascii: "?") {
            var queryEnd = pathEnd + 1
            while queryEnd < targetEnd && bytes[queryEnd] != UInt8(ascii: "#") { queryEnd += 1 }
            queryRange = (pathEnd + 1)..<queryEnd
        }
        let pathRange = pathStart..<pathEnd

        // Headers.
        let headerStart = position
        var headerCount = 0
        var contentLength: Int?
        var hostCount = 0
        var connectionClose = false
        var connectionKeepAlive = false
        var expectContinue = false
        while position < headEnd - 2 {
            let c = bytes[position]
            if c == 32 || c == 9 { return .failure(.badRequest("obsolete header line folding")) }
            let nameStart = position
            while position < headEnd && isTokenByte(bytes[position]) { position += 1 }
            guard position > nameStart, bytes[position] == UInt8(ascii: ":") else {
                return .failure(.badRequest("malformed header line"))
            }
            let nameEnd = position
            position += 1
            while bytes[position] == 32 || bytes[position] == 9 { position += 1 }
            let valueStart = position
            while true {
                let v = bytes[position]
                if v == 13 { break }
                if (v < 32 && v != 9) || v == 127 { return .failure(.badRequest("control character in a header")) }
                position += 1
            }
            guard bytes[position + 1] == 10 else { return .failure(.badRequest("bare CR")) }
            var valueEnd = position
            while valueEnd > valueStart && (bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9) { valueEnd -= 1 }
            position += 2
            headerCount += 1
            if headerCount > limits.maxHeaderCount { return .failure(.tooManyHeaders) }

            let name = nameStart..<nameEnd
            if equalsIgnoringCase(bytes, name, "content-length") {
                guard let value = decimal(bytes, valueStart..<valueEnd) else {
                    return .failure(.badRequest("invalid Content-Length"))
                }
                if let previous = contentLength, previous != value {
                    return .failure(.badRequest("conflicting Content-Length headers"))
                }
                contentLength = value
            } else if equalsIgnoringCase(bytes, name, "transfer-encoding") {
                return .failure(.badRequest("Transfer-Encoding is not accepted"))
            } else if equalsIgnoringCase(bytes, name, "host") {
                hostCount += 1
            } else if equalsIgnoringCase(bytes, name, "expect") {
                expectContinue = expectContinue || equalsIgnoringCase(bytes, valueStart..<valueEnd, "100-continue")
            } else if equalsIgnoringCase(bytes, name, "connection") {
                forEachToken(bytes, valueStart..<valueEnd) { token in
                    if equalsIgnoringCase(bytes, token, "close") { connectionClose = true }
                    if equalsIgnoringCase(bytes, token, "keep-alive") { connectionKeepAlive = true }
                }
            }
        }
        if minorVersion == 1 && hostCount != 1 {
            return .failure(.badRequest(hostCount == 0 ? "HTTP/1.1 request without Host" : "more than one Host header"))
        }
        if hostCount > 1 { return .failure(.badRequest("more than one Host header")) }

        let length = contentLength ?? 0
        if length > limits.maxBodyBytes { return .failure(.bodyTooLarge) }
        guard end - headEnd >= length else {
            // The head is good; wait for the whole body without parsing the head again.
            progress.needed = headEnd + length - start
            progress.expectsContinue = expectContinue && minorVersion == 1
            return .incomplete
        }
        let request = HTTPRequest(
            storage: storage, methodRange: methodRange, pathRange: pathRange, queryRange: queryRange,
            headerRange: headerStart..<(headEnd - 2), bodyRange: headEnd..<(headEnd + length),
            method: HTTPMethod.from(UnsafeBufferPointer(rebasing: bytes[methodRange])), minorVersion: minorVersion,
            keepAlive: minorVersion == 1 ? !connectionClose : (connectionKeepAlive && !connectionClose))
        return .request(request, end: headEnd + length)
    }

    /// A problem visible in any prefix of the head: a bad first byte, a bare CR or LF, a NUL
    /// (checked from `from`: what came before was checked by an earlier call).
    private static func earlyProblem(
        _ bytes: UnsafeBufferPointer<UInt8>, start: Int, from: Int, end: Int
    ) -> RequestError? {
        guard start < end else { return nil }
        if !isTokenByte(bytes[start]) { return .badRequest("malformed request line") }
        var index = from
        while index < end {
            let c = bytes[index]
            if c == 13 && index + 1 < end && bytes[index + 1] != 10 { return .badRequest("bare CR") }
            if c == 10 && (index == start || bytes[index - 1] != 13) { return .badRequest("bare LF") }
            if c == 0 { return .badRequest("NUL byte") }
            index += 1
        }
        return nil
    }

    /// `HTTP/1.0` -> 0, `HTTP/1.1` -> 1, anything else nil.
    private static func version(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard range.count == 8, equals(bytes, range.lowerBound..<(range.lowerBound + 7), "HTTP/1.") else { return nil }
        switch bytes[range.lowerBound + 7] {
        case UInt8(ascii: "0"): return 0
        case UInt8(ascii: "1"): return 1
        default: return nil
        }
    }

    /// `HTTP/<digit>.<digit>`: a well-formed version we do not speak (505 rather than 400).
    private static func looksLikeVersion(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard range.count == 8, equals(bytes, range.lowerBound..<(range.lowerBound + 5), "HTTP/") else { return false }
        let major = bytes[range.lowerBound + 5]
        let minor = bytes[range.lowerBound + 7]
        return major >= 48 && major <= 57 && bytes[range.lowerBound + 6] == UInt8(ascii: ".") && minor >= 48 && minor <= 57
    }

    /// For `http://host/path`, where the path starts (at the end for no path); nil if not absolute-form.
    private static func absoluteFormPathStart(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        while index + 2 < range.upperBound && bytes[index] != UInt8(ascii: ":") { index += 1 }
        guard index + 2 < range.upperBound, bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/")
        else { return nil }
        let scheme = range.lowerBound..<index
        guard equalsIgnoringCase(bytes, scheme, "http") || equalsIgnoringCase(bytes, scheme, "https") else { return nil }
        index += 3
        while index < range.upperBound && bytes[index] != UInt8(ascii: "/") { index += 1 }
        return index
    }

    /// tchar from RFC 9110.
    @inline(__always)
    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { expected in
            for offset in 0..<expected.count where bytes[range.lowerBound + offset] != expected[offset] { return false }
            return true
        }
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ lower: StaticString) -> Bool {
        guard range.count == lower.utf8CodeUnitCount else { return false }
        return lower.withUTF8Buffer { expected in
            for offset in 0..<expected.count {
                var c = bytes[range.lowerBound + offset]
                if c >= 65 && c <= 90 { c += 32 }
                if c != expected[offset] { return false }
            }
            return true
        }
    }

    /// A non-negative decimal without sign or spaces (at most 18 digits).
    private static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            let c = bytes[index]
            guard c >= 48 && c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
        }
        return value
    }

    /// Calls `body` with each comma-separated token of a header value, trimmed.
    private static func forEachToken(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var index = range.lowerBound
        while index < range.upperBound {
            while index < range.upperBound && (bytes[index] == 32 || bytes[index] == 9 || bytes[index] == 44) { index += 1 }
            let tokenStart = index
            while index < range.upperBound && bytes[index] != 44 { index += 1 }
            var tokenEnd = index
            while tokenEnd > tokenStart && (bytes[tokenEnd - 1] == 32 || bytes[tokenEnd - 1] == 9) { tokenEnd -= 1 }
            if tokenEnd > tokenStart { body(tokenStart..<tokenEnd) }
        }
    }

    /// Calls `body` with the name and value ranges of each header line in `range` (already validated).
    static func forEachHeader(_ storage: [UInt8], in range: Range<Int>, _ body: (Range<Int>, Range<Int>) -> Void) {
        var position = range.lowerBound
        while position < range.upperBound {
            let nameStart = position
            while position < range.upperBound && storage[position] != UInt8(ascii: ":") { position += 1 }
            let nameEnd = position
            position += 1
            while position < range.upperBound && (storage[position] == 32 || storage[position] == 9) { position += 1 }
            let valueStart = position
            while position < range.upperBound && storage[position] != 13 { position += 1 }
            var valueEnd = position
            while valueEnd > valueStart && (storage[valueEnd - 1] == 32 || storage[valueEnd - 1] == 9) { valueEnd -= 1 }
            body(nameStart..<nameEnd, valueStart..<valueEnd)
            position += 2
        }
    }
}
