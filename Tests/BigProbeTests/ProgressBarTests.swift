import Testing

@testable import bigprobe

/// The progress line `bench` redraws on a terminal.
@Suite struct ProgressBarTests {
    @Test func againstATotal() {
        let plan = BenchPlan(total: 200, duration: nil, concurrency: 4, rate: nil)
        let line = ProgressBar.line(finished: 50, elapsed: .seconds(2), plan: plan)
        #expect(line == "\r[=======                       ] 50/200 calls  25 calls/s\u{1B}[K")
    }

    @Test func againstADuration() {
        let plan = BenchPlan(total: nil, duration: .seconds(10), concurrency: 4, rate: nil)
        let line = ProgressBar.line(finished: 300, elapsed: .seconds(5), plan: plan)
        #expect(line == "\r[===============               ] 300 calls, 5s/10s  60 calls/s\u{1B}[K")
    }

    @Test func neverOverflows() {
        let plan = BenchPlan(total: 10, duration: nil, concurrency: 4, rate: nil)
        #expect(ProgressBar.line(finished: 12, elapsed: .seconds(1), plan: plan).hasPrefix("\r[\(String(repeating: "=", count: 30))]"))
    }
}
