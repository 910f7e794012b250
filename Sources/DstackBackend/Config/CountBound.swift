/// The smallest value a count setting accepts, and why: `MAX_HEADER_BYTES=10` would answer every request,
/// `/health` included, with 431, so it is refused at start-up instead.
///
/// Each minimum is what a plain `GET /health` needs, with margin. The request measured is what curl or
/// dephy-worker sends with a long `Host` (a 253-byte name and a port) and a long `User-Agent` (256 bytes):
/// request line, `Host`, `User-Agent`, `Accept`, `Accept-Encoding`, about 620 bytes in 4 header lines.
struct CountBound: Sendable, Equatable {
    let count: Int
    /// What a value below the bound would do, for the configuration error.
    let why: String

    /// `MAX_HEADER_BYTES` at least 1024 (nginx's `client_header_buffer_size`).
    static let maxHeaderBytes = CountBound(
        count: 1024,
        why: "a GET /health with a long Host and User-Agent, as curl and dephy-worker send it, takes about 620"
            + " bytes, and a smaller limit answers it 431")
    /// `MAX_HEADER_COUNT` at least 8: curl sends 3 header lines, dephy-worker's HTTP client 2 to 4, Prometheus 5.
    static let maxHeaderCount = CountBound(
        count: 8,
        why: "curl, dephy-worker and Prometheus send 3 to 5 header lines, and a smaller limit answers them 431")
    /// `MAX_CONNECTIONS` at least 4: at the cap an idle connection makes room, but one in the middle of a
    /// request never does.
    static let maxConnections = CountBound(
        count: 4,
        why: "dephy-worker, the healthcheck, Prometheus and an operator's curl can each be in the middle of a"
            + " request at once, and a client finding no idle connection to replace is refused")
}
