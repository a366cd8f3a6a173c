import Foundation

/// What a rehearsal found: the drop as the customers saw it, the server's
/// own counts, and the checks between them. Text for people, JSON for
/// machines.
struct RehearsalReport: Codable, Sendable {
    /// One invariant, checked.
    struct Check: Codable, Equatable, Sendable {
        var name: String
        var passed: Bool
        var detail: String
    }

    /// The payments made.
    struct Payments: Codable, Equatable, Sendable {
        var card: Int
        var pix: Int
        /// Payments not approved, by status or error name.
        var failed: [String: Int]
    }

    var campaignId: String
    var productName: String
    var dropIndex: Int
    var customers: Int
    var customersConnected: Int
    var pressesPerCustomer: Int
    var perCustomerLimit: Int
    /// Units the pool held when the drop opened (the drop's own and those
    /// carried over), as the server's counts said just before.
    var unitsOnOffer: Int
    /// Answers by name: GRANTED, SOLD_OUT, LIMIT_REACHED, RATE_LIMITED, …
    var answers: [String: Int]
    var holdsGranted: Int
    var customersWithAHold: Int
    var mostHoldsOfOneCustomer: Int
    var soldOutShare: Double
    /// Presses sent again because the drop was not open yet on the server.
    var earlyRetries: Int
    var latencyMs: BenchReport.Latency
    var paid: Payments
    /// Holds left unpaid, to expire.
    var leftToExpire: Int
    /// Units the server returned to the pool during the rehearsal.
    var returnedAfterExpiry: Int
    /// The server's counts before the drop, after the presses, and at the end.
    var serverBefore: UnitCounts
    var serverAfterPresses: UnitCounts
    var serverFinal: UnitCounts
    var checks: [Check]

    /// Whether every check passed.
    var passed: Bool

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    var text: String {
        func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }
        func ms(_ value: Double) -> String { String(format: "%.1f", value) }
        func row(_ label: String, _ counts: UnitCounts) -> String {
            "  " + label.padding(toLength: 20, withPad: " ", startingAt: 0)
                + [counts.unitsReleased, counts.sold, counts.held, counts.remaining, counts.returned]
                .map { String($0).leftPadded(to: 10) }.joined() + "\n"
        }
        let total = answers.values.reduce(0, +)
        var text = """
            Rehearsal of drop \(dropIndex) of campaign \(campaignId) (\(productName))

            Customers          \(customers) signed up, \(customersConnected) connected, \(pressesPerCustomer) press(es) each
            Units on offer     \(unitsOnOffer), at most \(perCustomerLimit) per customer
            Answers            \(total)

            """
        for (name, count) in answers.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            let share = total == 0 ? 0 : Double(count) / Double(total)
            text += "  " + name.padding(toLength: 18, withPad: " ", startingAt: 0) + String(count).leftPadded(to: 8) + "  \(percent(share))\n"
        }
        text += """
            Holds granted      \(holdsGranted), to \(customersWithAHold) customers (at most \(mostHoldsOfOneCustomer) each)
            SOLD_OUT share     \(percent(soldOutShare))
            Latency (ms)       p50 \(ms(latencyMs.p50))  p90 \(ms(latencyMs.p90))  p99 \(ms(latencyMs.p99))  p99.9 \(ms(latencyMs.p999))  max \(ms(latencyMs.max))
            Paid               \(paid.card + paid.pix) (card \(paid.card), Pix \(paid.pix))\(paid.failed.isEmpty ? "" : ", not approved: \(paid.failed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
            Left to expire     \(leftToExpire); returned to the pool: \(returnedAfterExpiry)

            The server's counts  released      sold      held remaining  returned

            """
        text += row("before the drop", serverBefore) + row("after the presses", serverAfterPresses) + row("at the end", serverFinal)
        text += "\nChecks\n"
        for check in checks {
            text += "  \(check.passed ? "PASS" : "FAIL")  \(check.name): \(check.detail)\n"
        }
        let failed = checks.filter { !$0.passed }.count
        text += failed == 0 ? "\nPASS: every check passed\n" : "\nFAIL: \(failed) of \(checks.count) checks failed\n"
        return text
    }
}

extension String {
    /// The string right-aligned in `width` columns.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
