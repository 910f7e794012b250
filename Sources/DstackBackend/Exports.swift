// The daemon's library brings its lower layers along (as swift-nio's `NIO` does `NIOCore`): whoever imports
// DstackBackend also sees the logger, stop signal and metrics (DstackCore) and the HTTP server (DstackHTTP).
@_exported import DstackCore
@_exported import DstackHTTP
