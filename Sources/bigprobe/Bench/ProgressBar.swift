/// One line of progress on a terminal, redrawn in place.
struct ProgressBar {
    private static let width = 30

    /// The line for `finished` calls after `elapsed`: against the total when
    /// the plan has one, else against the duration.
    static func line(finished: Int, elapsed: Duration, plan: BenchPlan) -> String {
        let seconds = elapsed.seconds
        let fraction: Double
        let detail: String
        if let total = plan.total {
            fraction = Double(finished) / Double(max(total, 1))
            detail = "\(finished)/\(total) calls"
        } else if let duration = plan.duration {
            fraction = seconds / max(duration.seconds, 0.001)
            detail = "\(finished) calls, \(Int(seconds))s/\(Int(duration.seconds.rounded(.up)))s"
        } else {
            fraction = 0
            detail = "\(finished) calls"
        }
        let rate = seconds > 0 ? Int((Double(finished) / seconds).rounded()) : 0
        return "\r[\(bar(fraction))] \(detail)  \(rate) calls/s\u{1B}[K"
    }

    /// The line for a step of a known size: `label` and `done` of `total`.
    static func line(_ label: String, done: Int, of total: Int) -> String {
        "\r\(label) [\(bar(Double(done) / Double(max(total, 1))))] \(done)/\(total)\u{1B}[K"
    }

    private static func bar(_ fraction: Double) -> String {
        let filled = Int((min(max(fraction, 0), 1) * Double(width)).rounded(.down))
        return String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
    }

    /// Clears the line.
    static let clear = "\r\u{1B}[K"
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
