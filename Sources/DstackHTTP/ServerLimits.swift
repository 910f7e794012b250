/// The server's bounds; every one is a setting (`MAX_HEADER_BYTES`, ...) and every one is tested.
public struct ServerLimits: Sendable, Equatable {
    /// Request line + headers at most (else 431 and close).
    public var maxHeaderBytes = 8192
    /// Header lines at most (else 431 and close).
    public var maxHeaderCount = 100
    /// Request body at most (else 413 and close).
    public var maxBodyBytes = 65536
    /// Seconds an idle keep-alive connection stays open.
    public var idleTimeout = 30.0
    /// Seconds from a request's first byte to its last (slowloris; else 408 and close).
    public var requestTimeout = 10.0
    /// Open connections at most; more are accepted and closed at once.
    public var maxConnections = 4096
    /// Response bytes buffered for a peer that does not read, at most; past it we stop reading its requests.
    public var maxBufferedOutputBytes = 65536
    /// Seconds to finish in-flight responses at shutdown.
    public var shutdownGrace = 0.5

    public init() {}
}
