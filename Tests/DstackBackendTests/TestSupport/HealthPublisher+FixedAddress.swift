@testable import DstackBackend

extension HealthPublisher {
    /// A publisher advertising `ipAddress` for its life (`nil`: always `null`), as `ADVERTISE_IP` makes one.
    convenience init(
        pubkey: String, ipAddress: String?, pollInterval: Duration,
        httpTimeout: Duration = HTTPClientConfiguration.defaultTotalTimeout,
        staleMargin: Duration = defaultStaleMargin, clock: any MonotonicClock = .system
    ) {
        self.init(
            pubkey: pubkey, address: .fixed(ipAddress), pollInterval: pollInterval, httpTimeout: httpTimeout,
            staleMargin: staleMargin, clock: clock)
    }
}
