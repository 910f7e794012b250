import CCurl

#if canImport(Glibc)
import Glibc
#endif

/// Limits that every outbound request gets.
public struct HTTPClientConfiguration: Sendable, Equatable {
    /// Time allowed to establish the connection (TCP + TLS).
    var connectTimeout: Duration
    /// Time allowed for the whole request, connect included.
    var totalTimeout: Duration
    /// Largest response body accepted; more is refused so a broken peer cannot exhaust memory.
    var maximumResponseBytes: Int
    var userAgent: String

    public static let defaultConnectTimeout: Duration = .seconds(5)
    public static let defaultTotalTimeout: Duration = .seconds(10)
    public static let defaultMaximumResponseBytes = 1 << 20

    public init(
        connectTimeout: Duration = defaultConnectTimeout,
        totalTimeout: Duration = defaultTotalTimeout,
        maximumResponseBytes: Int = defaultMaximumResponseBytes,
        userAgent: String = "dstack-backend/\(BuildInfo.version)"
    ) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maximumResponseBytes = maximumResponseBytes
        self.userAgent = userAgent
    }
}

/// One outbound request.
public struct HTTPClientRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }

    var method: Method
    /// Absolute `http://` or `https://` URL; over a Unix socket the host part is only the `Host` header.
    var url: String
    /// Connect to this Unix socket instead of the URL's host.
    var unixSocketPath: String?
    var headers: [(String, String)]
    var body: [UInt8]?

    public init(
        method: Method = .get, url: String, unixSocketPath: String? = nil, headers: [(String, String)] = [],
        body: [UInt8]? = nil
    ) {
        self.method = method
        self.url = url
        self.unixSocketPath = unixSocketPath
        self.headers = headers
        self.body = body
    }
}

/// What came back.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// Response headers, names lower-cased.
    var headers: [(String, String)]
    public var body: [UInt8]

    var isSuccess: Bool { (200..<300).contains(status) }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The first header named `name` (case-insensitive).
    func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0 == lower }?.1
    }
}

/// The only way the daemon talks to other machines: blocking libcurl requests with timeouts and a size cap.
///
/// Calls block the calling thread. The registry flow runs before the server starts and the poller has
/// its own thread, so the event loop that serves `/health` never waits on a peer.
public struct HTTPClient: Sendable {
    let configuration: HTTPClientConfiguration
    /// When this fires, a request in flight is abandoned within about a second (libcurl's progress tick),
    /// so SIGTERM does not wait out a total timeout.
    let cancellation: StopSignal?

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration(), cancellation: StopSignal? = nil) {
        CurlGlobal.ensureInitialized()
        self.configuration = configuration
        self.cancellation = cancellation
    }

    func get(_ url: String, headers: [(String, String)] = []) throws(HTTPClientError) -> HTTPClientResponse {
        try perform(HTTPClientRequest(method: .get, url: url, headers: headers))
    }

    public func perform(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        guard let handle = curl_easy_init() else {
            if FileDescriptors.areExhausted() { throw Self.outOfDescriptors(request: request, osErrno: nil) }
            throw HTTPClientError(
                kind: .transport, url: request.url, detail: "curl_easy_init failed", unixSocketPath: request.unixSocketPath)
        }
        defer { curl_easy_cleanup(handle) }

        if let cancellation, cancellation.isStopped {
            throw HTTPClientError(
                kind: .cancelled, url: request.url, detail: "the daemon is stopping", unixSocketPath: request.unixSocketPath)
        }
        let sink = ResponseSink(limit: configuration.maximumResponseBytes, cancellation: cancellation)
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // libcurl sends "Expect: 100-continue" for larger POST bodies; our peers never need it.
        headerList = curl_slist_append(headerList, "Expect:")

        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            var setup = CURLE_OK
            func set(_ result: CURLcode) {
                if setup == CURLE_OK && result != CURLE_OK { setup = result }
            }
            set(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress))
            set(ccurl_setopt_string(handle, CURLOPT_URL, request.url))
            set(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
            set(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
            set(ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
            set(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.timeoutMilliseconds(configuration.connectTimeout)))
            set(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.timeoutMilliseconds(configuration.totalTimeout)))
            set(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
            set(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
            set(ccurl_setopt_offset(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maximumResponseBytes)))
            set(ccurl_setopt_string(handle, CURLOPT_USERAGENT, configuration.userAgent))
            set(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
            set(ccurl_setopt_write_function(handle, curlWriteBody))
            set(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer))
            set(ccurl_setopt_header_function(handle, curlWriteHeader))
            set(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer))
            if cancellation != nil {
                set(ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
                set(ccurl_setopt_xferinfo_function(handle, curlProgress))
                set(ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, sinkPointer))
            }
            if let path = request.unixSocketPath {
                set(ccurl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, path))
            }
            if request.method == .post {
                let body = request.body ?? []
                set(ccurl_setopt_long(handle, CURLOPT_POST, 1))
                set(ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
                // COPYPOSTFIELDS copies now, so the Swift array need not outlive this closure.
                body.withUnsafeBufferPointer { bytes in
                    if bytes.isEmpty {
                        set(ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""))
                    } else {
                        set(ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress)))
                    }
                }
            }
            if setup != CURLE_OK { return setup }
            return curl_easy_perform(handle)
        }
        let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if sink.overflowed { code = CURLE_FILESIZE_EXCEEDED }
        guard code == CURLE_OK else {
            var osErrnoValue = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrnoValue)
            let osErrno = Int32(truncatingIfNeeded: osErrnoValue)
            if Self.mayBeOutOfDescriptors(code) {
                if FileDescriptors.isExhaustion(osErrno) { throw Self.outOfDescriptors(request: request, osErrno: osErrno) }
                if FileDescriptors.areExhausted() { throw Self.outOfDescriptors(request: request, osErrno: nil) }
            }
            throw Self.error(for: code, detail: detail, request: request, configuration: configuration, osErrno: osErrno)
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPClientResponse(status: status, headers: sink.headers, body: sink.body)
    }

    /// Failures that a socket, pipe or resolver thread we could not create ends in.
    ///
    /// libcurl reports a failed `socket()` as `CURLE_COULDNT_CONNECT` (with `EMFILE` in `CURLINFO_OS_ERRNO`);
    /// a resolver thread it could not start, as a resolve failure with no errno at all.
    static func mayBeOutOfDescriptors(_ code: CURLcode) -> Bool {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_FAILED_INIT,
            CURLE_OUT_OF_MEMORY, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_SSL_CONNECT_ERROR:
            true
        default:
            false
        }
    }

    static func outOfDescriptors(request: HTTPClientRequest, osErrno: Int32?) -> HTTPClientError {
        let cause = osErrno.map { " (\(String(cString: strerror($0))), errno \($0))" } ?? ""
        return HTTPClientError(
            kind: .outOfDescriptors, url: request.url,
            detail: "this process could not open a connection\(cause), so the peer was never asked;"
                + " \(FileDescriptors.hint)", unixSocketPath: request.unixSocketPath)
    }

    /// libcurl's `*_TIMEOUT_MS` value: whole milliseconds, at least 1 (0 would mean no timeout).
    static func timeoutMilliseconds(_ timeout: Duration) -> Int {
        max(1, timeout.roundedMilliseconds)
    }

    static func error(
        for code: CURLcode, detail: String, request: HTTPClientRequest, configuration: HTTPClientConfiguration,
        osErrno: Int32 = 0
    ) -> HTTPClientError {
        var words = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        if let path = request.unixSocketPath {
            // Over a socket libcurl still names the URL's host and default port; say which socket instead.
            words = words.replacing("localhost port 80", with: "Unix socket \(path)")
        }
        let kind: HTTPClientError.Kind
        var text = words
        switch code {
        case CURLE_COULDNT_CONNECT:
            kind = .connectionRefused
            if let path = request.unixSocketPath {
                if osErrno == EACCES || osErrno == EPERM {
                    return HTTPClientError(
                        kind: .permissionDenied, url: request.url,
                        detail: UnixSocketAccess.deniedReason(path: path, errno: osErrno), unixSocketPath: path)
                }
                let cause = osErrno != 0 ? SystemError(call: "connect", errno: osErrno).reason : words
                text = "cannot connect to Unix socket \(path) (is the file there and is something listening?): \(cause)"
            }
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timeout
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .dns
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_SSL_CRL_BADFILE:
            kind = .tls
        case CURLE_FILESIZE_EXCEEDED:
            kind = .responseTooLarge
            text = "the response is larger than the \(configuration.maximumResponseBytes)-byte limit"
        case CURLE_ABORTED_BY_CALLBACK:
            kind = .cancelled
            text = "the daemon is stopping"
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            kind = .invalidURL
        default:
            kind = .transport
        }
        return HTTPClientError(kind: kind, url: request.url, detail: text, unixSocketPath: request.unixSocketPath)
    }
}

/// Collects the body and headers of one transfer, stopping at the size cap.
final class ResponseSink {
    let limit: Int
    let cancellation: StopSignal?
    var body: [UInt8] = []
    var headers: [(String, String)] = []
    var overflowed = false

    init(limit: Int, cancellation: StopSignal?) {
        self.limit = limit
        self.cancellation = cancellation
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if body.count + bytes.count > limit {
            overflowed = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    func appendHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        // A new status line (after a redirect or 100 Continue) starts a new header set.
        if bytes.starts(with: Array("HTTP/".utf8)) {
            headers.removeAll()
            return
        }
        guard headers.count < 200, let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        headers.append((name, String(decoding: bytes[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()))
    }
}

private func curlWriteBody(
    _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let delivery = ResponseSink.delivery(pointer, size, count, context) else { return 0 }
    return delivery.sink.append(delivery.bytes) ? delivery.bytes.count : 0
}

private func curlWriteHeader(
    _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let delivery = ResponseSink.delivery(pointer, size, count, context) else { return 0 }
    delivery.sink.appendHeaderLine(delivery.bytes)
    return delivery.bytes.count
}

private func curlProgress(
    _ context: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloaded: curl_off_t,
    _ uploadTotal: curl_off_t, _ uploaded: curl_off_t
) -> Int32 {
    guard let context else { return 0 }
    return ResponseSink.from(context).cancellation?.isStopped == true ? 1 : 0
}

extension ResponseSink {
    /// The sink a libcurl callback's `context` points at (`CURLOPT_WRITEDATA` and friends, unretained).
    static func from(_ context: UnsafeMutableRawPointer) -> ResponseSink {
        Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    }

    /// What one libcurl write callback delivers: the sink and the `size * count` bytes at `pointer`; nil for
    /// a null pointer or context.
    static func delivery(
        _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
    ) -> (sink: ResponseSink, bytes: UnsafeBufferPointer<UInt8>)? {
        guard let pointer, let context else { return nil }
        let bytes = UnsafeBufferPointer(
            start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: size * count)
        return (from(context), bytes)
    }
}

/// `curl_global_init` must run once before any thread uses libcurl.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func ensureInitialized() {
        _ = initialized
    }
}
