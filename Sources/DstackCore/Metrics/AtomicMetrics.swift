import Synchronization

/// A monotonically increasing count, updated without locks.
public final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    public init() {}

    public func increment(by amount: Int = 1) {
        value.add(amount, ordering: .relaxed)
    }

    public var current: Int { value.load(ordering: .relaxed) }
}

/// A value that goes up and down, stored as the bits of a Double so it can hold fractions.
public final class Gauge: Sendable {
    private let bits: Atomic<UInt64>

    public init(_ initial: Double = 0) {
        bits = Atomic(initial.bitPattern)
    }

    public func set(_ newValue: Double) {
        bits.store(newValue.bitPattern, ordering: .relaxed)
    }

    public var current: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
}

/// A Prometheus histogram with fixed upper bounds; observations are lock-free.
public final class Histogram: Sendable {
    /// Upper bounds in ascending order, without +Inf.
    let bounds: [Double]
    private let buckets: [Counter]
    private let count = Counter()
    /// Sum in nanounits, so it can be an integer atomic.
    private let sumNano = Atomic<Int>(0)

    /// Seconds, from 1 ms to 10 s: the range of a VMM call.
    public static let defaultLatencyBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init(bounds: [Double] = defaultLatencyBounds) {
        self.bounds = bounds.sorted()
        self.buckets = bounds.map { _ in Counter() }
    }

    public func observe(_ value: Double) {
        if let index = bounds.firstIndex(where: { value <= $0 }) {
            buckets[index].increment()
        }
        count.increment()
        sumNano.add(Int((value * 1e9).rounded()), ordering: .relaxed)
    }

    /// Writes `<name>_bucket`, `<name>_sum` and `<name>_count` (the family line is the caller's).
    public func write(_ name: String, to out: inout PrometheusText) {
        var cumulative = 0
        for (bound, bucket) in zip(bounds, buckets) {
            cumulative += bucket.current
            out.sample(name + "_bucket", [("le", PrometheusText.format(bound))], cumulative)
        }
        let total = count.current
        // An observation racing this read may be in a bucket but not yet in the count: never report less.
        out.sample(name + "_bucket", [("le", "+Inf")], max(total, cumulative))
        out.sample(name + "_sum", [], Double(sumNano.load(ordering: .relaxed)) / 1e9)
        out.sample(name + "_count", [], total)
    }
}
