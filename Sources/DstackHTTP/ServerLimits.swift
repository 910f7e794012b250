/// The server's bounds; every one is a setting (`MAX_HEADER_BYTES`, ...) and every one is tested.
///
/// The defaults here are the settings' defaults: `Configuration.serverLimits` starts from `ServerLimits()`.
public struct ServerLimits: Sendable, Equatable {
    /// Request line + headers at most (else 431 and close).
    public var maxHeaderBytes = 8192
    /// Header lines at most (else 431 and close).
    public var maxHeaderCount = 100
    /// Request body at most (else 413 and close).
    public var maxBodyBytes = 65536
    /// How long an idle keep-alive connection stays open.
    public var idleTimeout: Duration = .seconds(30)
    /// Time from a request's first byte to its last (slowloris; else 408 and close).
    public var requestTimeout: Duration = .seconds(10)
    /// Open connections at most; more are accepted and closed at once.
    public var maxConnections = 4096
    /// Response bytes buffered for a peer that does not read, at most; past it we stop reading its requests.
    public var maxBufferedOutputBytes = 65536
    /// Time to finish in-flight responses at shutdown.
    public var shutdownGrace: Duration = .milliseconds(500)

    public init() {}
}
