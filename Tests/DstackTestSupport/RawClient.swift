import DstackCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking test client on a raw socket with a receive timeout, so no test can hang.
public final class RawClient {
    public let fd: Int32

    /// With `receiveBuffer`, that `SO_RCVBUF`, set before connecting so the window is small from the start.
    public init(port: UInt16, host: String = "127.0.0.1", timeout: Double = 2, receiveBuffer: Int32? = nil) throws {
        let isV6 = host.contains(":")
        fd = try retryingEINTR("socket") { socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        // errno is read by retryingEINTR right after the call; deinit closes the socket.
        do {
            if isV6 {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                inet_pton(AF_INET6, host, &address.sin6_addr)
                try retryingEINTR("connect") {
                    withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
                    }
                }
            } else {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr.s_addr = inet_addr(host)
                try retryingEINTR("connect") {
                    withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                    }
                }
            }
        } catch {
            throw SystemTestError("\(error)")
        }
    }

    public init(unixPath: String, timeout: Double = 2) throws {
        guard let address = UnixSocketAddress(path: unixPath) else {
            throw SystemTestError("\(unixPath): \(UnixSocketAddress.problem(with: unixPath) ?? "invalid")")
        }
        fd = try retryingEINTR("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        do {
            try retryingEINTR("connect") { address.withSockaddr { connect(fd, $0, $1) } }
        } catch {
            throw SystemTestError("\(unixPath): \(error)")
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
            guard let n = try? retryingEINTR("recv", { recv(fd, &chunk, chunk.count, 0) }), n > 0 else { break }
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
            do {
                if try retryingEINTR("recv", { recv(fd, &byte, 1, 0) }) == 0 { return true }
            } catch {
                return error.errno == ECONNRESET
            }
        }
    }

    /// How a stream read to its end ended.
    public enum StreamEnd: Equatable, Sendable {
        case endOfStream, reset, timedOut
        case failed(Int32)
    }

    /// Reads until the peer ends the stream, resets it, or the receive timeout passes: what came, and how.
    public func readToEnd() -> (bytes: [UInt8], end: StreamEnd) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            do {
                let n = try retryingEINTR("recv") { recv(fd, &chunk, chunk.count, 0) }
                if n == 0 { return (bytes, .endOfStream) }
                bytes += chunk[0..<n]
            } catch {
                switch error.errno {
                case ECONNRESET: return (bytes, .reset)
                case EAGAIN, EWOULDBLOCK: return (bytes, .timedOut)
                default: return (bytes, .failed(error.errno))
                }
            }
        }
    }

    /// Bytes waiting to be read, without taking them (0 when none yet).
    public func peekAvailable() -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let peeked = try? syscall(nonBlocking: true, where: "recv") { recv(fd, &chunk, chunk.count, Int32(MSG_PEEK | MSG_DONTWAIT)) }
        if case .processed(let n) = peeked { return n }
        return 0
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
