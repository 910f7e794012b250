import DstackCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking test client on a raw socket with a receive timeout, so no test can hang.
public final class RawClient {
    public let fd: Int32

    public init(port: UInt16, host: String = "127.0.0.1", timeout: Double = 2) throws {
        let isV6 = host.contains(":")
        fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemTestError("socket: errno \(errno)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let result: Int32
        if isV6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr(host)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else {
            close(fd)
            throw SystemTestError("connect: errno \(errno)")
        }
    }

    public init(unixPath: String, timeout: Double = 2) throws {
        guard let address = UnixSocketAddress(path: unixPath) else {
            throw SystemTestError("\(unixPath): \(UnixSocketAddress.problem(with: unixPath) ?? "invalid")")
        }
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let result = address.withSockaddr { connect(fd, $0, $1) }
        guard result == 0 else {
            close(fd)
            throw SystemTestError("connect \(unixPath): errno \(errno)")
        }
    }

    deinit { close(fd) }

    public func send(_ text: String) {
        sendAll(fd, Array(text.utf8))
    }

    /// Reads until `count` complete responses arrived (by Content-Length), the peer closes, or the timeout.
    public func readResponses(_ count: Int) -> [HTTPTestResponse] {
        var buffer = [UInt8]()
        var responses: [HTTPTestResponse] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while responses.count < count {
            while let (response, used) = HTTPTestResponse.parse(buffer) {
                responses.append(response)
                buffer.removeFirst(used)
                if responses.count == count { return responses }
            }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            buffer += chunk[0..<n]
        }
        while responses.count < count, let (response, used) = HTTPTestResponse.parse(buffer) {
            responses.append(response)
            buffer.removeFirst(used)
        }
        return responses
    }

    /// True if the server closed the connection (recv returns 0) within the timeout.
    public func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        while true {
            let n = recv(fd, &byte, 1, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }
}

public struct HTTPTestResponse {
    public var status: Int
    public var headers: [String: String]
    public var body: String

    /// One response from the start of `bytes` and its length; HEAD responses are read with `headOnly`.
    public static func parse(_ bytes: [UInt8], headOnly: Bool = false) -> (HTTPTestResponse, Int)? {
        guard let end = bytes.firstRange(of: [13, 10, 13, 10])?.upperBound else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = headOnly ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= end + length else { return nil }
        let body = String(decoding: bytes[end..<(end + length)], as: UTF8.self)
        return (HTTPTestResponse(status: Int(statusLine[1]) ?? 0, headers: headers, body: body), end + length)
    }
}
