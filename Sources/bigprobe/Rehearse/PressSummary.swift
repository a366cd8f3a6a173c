/// What the customers saw of the presses, counted from their answers alone.
struct PressSummary: Sendable {
    var answers: [PressOutcome.Answer: Int] = [:]
    var holdsGranted = 0
    var customersWithAHold = 0
    var mostHoldsOfOneCustomer = 0
    var earlyRetries = 0
    /// Latencies of every answer.
    var tally = BenchTally()
    /// Every answer's latency in milliseconds, for the histogram.
    var latenciesMs: [Double] = []

    init(_ outcomes: [PressOutcome]) {
        var holdsByCustomer: [Int: Int] = [:]
        latenciesMs.reserveCapacity(outcomes.count)
        for outcome in outcomes {
            answers[outcome.answer, default: 0] += 1
            tally.record(outcome.latency, .ok)  // only its latencies are read
            latenciesMs.append(outcome.latency.seconds * 1000)
            earlyRetries += outcome.earlyRetries
            if outcome.answer == .granted { holdsByCustomer[outcome.customer, default: 0] += 1 }
        }
        holdsGranted = holdsByCustomer.values.reduce(0, +)
        customersWithAHold = holdsByCustomer.count
        mostHoldsOfOneCustomer = holdsByCustomer.values.max() ?? 0
    }

    /// Every answer, granted or not.
    var total: Int { answers.values.reduce(0, +) }

    /// The share of answers that were SOLD_OUT, 0 to 1.
    var soldOutShare: Double {
        total == 0 ? 0 : Double(answers[.soldOut] ?? 0) / Double(total)
    }
}
