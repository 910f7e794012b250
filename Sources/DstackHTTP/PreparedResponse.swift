import DstackCore

/// A complete HTTP response rendered ahead of time, so serving it is a copy of ready bytes.
///
/// `head` holds the status line and every header, each ending in CRLF, but neither the `Date` header
/// (the server adds its per-second cached one), the `Connection` header (the server knows whether it
/// closes) nor the blank line that ends the head. Every response carries `Content-Length` (except a 204,
/// where RFC 9110 forbids it), `Content-Type`, `Access-Control-Allow-Origin: *` and `Cache-Control: no-store`.
public final class PreparedResponse: Sendable {
    public let status: Int
    let head: [UInt8]
    public let body: [UInt8]

    /// Renders the head once. `headers` come after the standard ones, in order.
    public init(status: Int, contentType: String, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.body = body
        var text = "HTTP/1.1 \(status) \(Self.reasonPhrase(for: status))\r\n"
        text += "Content-Type: \(contentType)\r\n"
        // RFC 9110 8.6: no Content-Length on a 1xx or 204 (which has no body).
        if status >= 200 && status != 204 { text += "Content-Length: \(body.count)\r\n" }
        text += "Access-Control-Allow-Origin: *\r\n"
        text += "Cache-Control: no-store\r\n"
        for (name, value) in headers {
            text += "\(name): \(value)\r\n"
        }
        self.head = Array(text.utf8)
    }

    public convenience init(status: Int, contentType: String, text: String, headers: [(String, String)] = []) {
        self.init(status: status, contentType: contentType, body: Array(text.utf8), headers: headers)
    }

    /// A small JSON error body `{"error":"<message>"}`.
    public static func jsonError(status: Int, message: String, headers: [(String, String)] = []) -> PreparedResponse {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("error")
        writer.string(message)
        writer.endObject()
        return PreparedResponse(status: status, contentType: "application/json", body: writer.bytes, headers: headers)
    }

    /// The whole response as one byte array, with the given `Date` value and an optional `Connection` header.
    /// For tests and tools; the server writes the parts without joining them.
    func serialized(date: String, connection: String? = nil, includeBody: Bool = true) -> [UInt8] {
        var out = head
        if let connection {
            out += Array("Connection: \(connection)\r\n".utf8)
        }
        out += Array("Date: \(date)\r\n\r\n".utf8)
        if includeBody { out += body }
        return out
    }

    static func reasonPhrase(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
