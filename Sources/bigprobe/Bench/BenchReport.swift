import BigRPC
import Foundation

/// A benchmark's results, as text for people or JSON for machines.
struct BenchReport: Codable, Equatable {
    struct Latency: Codable, Equatable {
        var min: Double
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double

        enum CodingKeys: String, CodingKey {
            case min, p50, p90, p99
            case p999 = "p99.9"
            case max
        }

        /// The percentiles of `tally`'s latencies; all zero when it is empty.
        init(_ tally: BenchTally) {
            let histogram = tally.latencies
            let empty = tally.count == 0
            func milliseconds(_ microseconds: UInt64) -> Double { empty ? 0 : Double(microseconds) / 1000 }
            min = milliseconds(histogram.min)
            p50 = milliseconds(histogram.valueAtPercentile(50))
            p90 = milliseconds(histogram.valueAtPercentile(90))
            p99 = milliseconds(histogram.valueAtPercentile(99))
            p999 = milliseconds(histogram.valueAtPercentile(99.9))
            max = milliseconds(histogram.max)
        }
    }

    /// Calls made.
    var count: Int
    var durationSeconds: Double
    /// Calls per second over the whole run.
    var rps: Double
    /// Call latency percentiles, in milliseconds.
    var latencyMs: Latency
    /// Calls by final status name (`OK`, `UNAVAILABLE`, …).
    var statusCodes: [String: Int]

    init(tally: BenchTally, elapsed: Duration) {
        count = tally.count
        durationSeconds = elapsed.seconds
        rps = durationSeconds > 0 ? Double(count) / durationSeconds : 0
        latencyMs = Latency(tally)
        statusCodes = Dictionary(uniqueKeysWithValues: tally.statusCounts.map { ($0.key.name, $0.value) })
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    var text: String {
        func number(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
        var text = """
            Summary:
              Count:         \(count)
              Total:         \(number(durationSeconds, 3)) s
              Calls/sec:     \(number(rps, 1))

            Latency (ms):
              min            \(number(latencyMs.min, 3))
              p50            \(number(latencyMs.p50, 3))
              p90            \(number(latencyMs.p90, 3))
              p99            \(number(latencyMs.p99, 3))
              p99.9          \(number(latencyMs.p999, 3))
              max            \(number(latencyMs.max, 3))

            Status codes:

            """
        let byCount = statusCodes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        for (name, count) in byCount {
            text += "  " + name.padding(toLength: 20, withPad: " ", startingAt: 0) + "\(count)\n"
        }
        return text
    }
}
