import BigRPC
import Histogram

/// What a benchmark measured: every call's latency and outcome.
struct BenchTally: Sendable {
    /// Latencies in microseconds, up to an hour.
    var latencies = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    var statusCounts: [StatusCode: Int] = [:]

    var count: Int { statusCounts.values.reduce(0, +) }

    mutating func record(_ latency: Duration, _ code: StatusCode) {
        let microseconds = UInt64(max(0, latency.saturatingNanoseconds / 1000))
        _ = latencies.record(min(max(microseconds, 1), latencies.highestTrackableValue))
        statusCounts[code, default: 0] += 1
    }

    mutating func merge(_ other: BenchTally) {
        latencies.add(other.latencies)
        statusCounts.merge(other.statusCounts, uniquingKeysWith: +)
    }
}
