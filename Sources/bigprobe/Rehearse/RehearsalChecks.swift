import BigShopFlashSaleAPI

/// The invariants a rehearsal checks, from what the customers saw and from
/// the server's own counts, so that a server whose counts lie is caught by
/// its answers and one whose answers lie is caught by its counts.
struct RehearsalChecks {
    var presses: PressSummary
    var unitsOnOffer: Int
    var perCustomerLimit: Int
    var approvedPayments: Int
    var before: UnitCounts
    var afterPresses: UnitCounts
    var final: UnitCounts
    /// The server's counts of the rehearsed drop before it (nil when it had
    /// not started), after the presses and at the end (nil if the server
    /// did not list it). Holds of earlier rehearsals of the same drop are
    /// in all three: the checks compare differences.
    var dropBefore: Bigshop_Flashsale_V1_DropStats?
    var dropAfterPresses: Bigshop_Flashsale_V1_DropStats?
    var dropFinal: Bigshop_Flashsale_V1_DropStats?

    var all: [RehearsalReport.Check] {
        [
            holdsMatchTheUnits, limitKeptAsSeen, limitKeptAsCounted, serverCountsTheHoldsSeen,
            balance("before the drop", before), balance("after the presses", afterPresses), balance("at the end", final),
            paidHoldsSold, unpaidHoldsReturned,
        ]
    }

    /// Exactly the units on offer when demand exceeded them (someone was
    /// told SOLD_OUT); never more than them otherwise.
    var holdsMatchTheUnits: RehearsalReport.Check {
        let granted = presses.holdsGranted
        let soldOut = presses.answers[.soldOut] ?? 0
        let passed = soldOut > 0 ? granted == unitsOnOffer : granted <= unitsOnOffer
        var detail = "\(granted) holds for \(unitsOnOffer) units"
        if soldOut > 0 {
            detail += ", \(soldOut) SOLD_OUT answers"
            if granted < unitsOnOffer { detail += ": customers were told sold out while units were left" }
        } else {
            detail += ", no SOLD_OUT answer (demand below the units)"
        }
        if granted > unitsOnOffer { detail += ": OVERSOLD by \(granted - unitsOnOffer)" }
        return .init(name: "holds granted = units on offer", passed: passed, detail: detail)
    }

    var limitKeptAsSeen: RehearsalReport.Check {
        .init(
            name: "per-customer limit kept (answers)", passed: presses.mostHoldsOfOneCustomer <= perCustomerLimit,
            detail: "at most \(presses.mostHoldsOfOneCustomer) holds for one customer, limit \(perCustomerLimit)")
    }

    var limitKeptAsCounted: RehearsalReport.Check {
        let most = Int(dropAfterPresses?.mostHeldByOneCustomer ?? 0)
        return .init(
            name: "per-customer limit kept (server)", passed: dropAfterPresses != nil && most <= perCustomerLimit,
            detail: dropAfterPresses == nil ? "the server's counts do not list the drop" : "at most \(most) live holds of one customer")
    }

    /// How much `count` of the drop grew from before the drop to `stats`;
    /// nil when the server did not list the drop.
    func growth(_ count: KeyPath<Bigshop_Flashsale_V1_DropStats, Int32>, to stats: Bigshop_Flashsale_V1_DropStats?) -> Int? {
        guard let stats else { return nil }
        return Int(stats[keyPath: count]) - Int(dropBefore?[keyPath: count] ?? 0)
    }

    var serverCountsTheHoldsSeen: RehearsalReport.Check {
        let counted = growth(\.granted, to: dropAfterPresses)
        return .init(
            name: "server counts the holds granted", passed: counted == presses.holdsGranted,
            detail: "the server counts \(counted.map(String.init) ?? "no") new holds in the drop, the customers got \(presses.holdsGranted)")
    }

    func balance(_ moment: String, _ counts: UnitCounts) -> RehearsalReport.Check {
        .init(
            name: "sold + held + remaining = released, \(moment)", passed: counts.balances,
            detail: "\(counts.sold) + \(counts.held) + \(counts.remaining) = \(counts.sold + counts.held + counts.remaining), released \(counts.unitsReleased)")
    }

    var paidHoldsSold: RehearsalReport.Check {
        let sold = growth(\.sold, to: dropFinal)
        return .init(
            name: "paid holds sold", passed: sold == approvedPayments,
            detail: "\(approvedPayments) payments approved, the server counts \(sold.map(String.init) ?? "no") more units sold in the drop")
    }

    var unpaidHoldsReturned: RehearsalReport.Check {
        let expected = presses.holdsGranted - approvedPayments
        let returned = growth(\.returned, to: dropFinal)
        let held = dropFinal.map { Int($0.held) }
        return .init(
            name: "unpaid holds expired and returned", passed: returned == expected && held == 0,
            detail: "\(expected) left unpaid; the server counts \(returned.map(String.init) ?? "no") more returned, \(held.map(String.init) ?? "no") still held"
        )
    }
}
