extension Duration {
    /// This duration in seconds, with fractions: for metrics (Prometheus counts seconds) and settings text.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// This duration in whole milliseconds, rounded: `duration_ms` log fields and libcurl's `*_MS` options.
    public var roundedMilliseconds: Int {
        Int((inSeconds * 1000).rounded())
    }
}
