import Testing

@testable import BigShopFlashSale

/// The campaign engine's bookkeeping errors fail one call, never the
/// process (issue 11, finding 7).
@Suite struct CampaignEngineTests {
    static let startMs: Int64 = 1_795_834_800_000

    /// One drop by default: its units fill the pool, so a unit given back
    /// twice is one too many for it.
    static func campaign(drops: Int = 1, units: Int = 3) -> Campaign {
        Campaign(
            id: "cmp_test", productID: "prd_test", productName: "Fone", startsAtMs: startMs, drops: drops,
            unitsPerDrop: units, priceCents: 100, dropIntervalMs: 3_600_000, holdMs: 600_000, perCustomerLimit: 1)
    }

    @Test func aUnitGivenBackTwiceFailsThatCallAndTheEngineGoesOn() throws {
        let engine = try CampaignEngine(campaign: Self.campaign(), liveHolds: [], nowMs: Self.startMs)
        guard case .granted(let unit, let drop) = try engine.claim(customer: "ana", nowMs: Self.startMs) else {
            Issue.record("the first claim was refused")
            return
        }
        #expect(try engine.remaining(atMs: Self.startMs) == 2)
        try engine.giveBack(unit: unit, customer: "ana", dropIndex: drop)
        #expect(try engine.remaining(atMs: Self.startMs) == 3)
        #expect(throws: CampaignEngineError.unitGivenBackTwice(campaignID: "cmp_test", unit: unit)) {
            try engine.giveBack(unit: unit, customer: "ana", dropIndex: drop)
        }
        // The pool did not grow, and every unit is still sold once.
        #expect(try engine.remaining(atMs: Self.startMs) == 3)
        var granted: Set<UInt32> = []
        for customer in ["a", "b", "c", "d"] {
            if case .granted(let unit, _) = try engine.claim(customer: customer, nowMs: Self.startMs) {
                granted.insert(unit)
            }
        }
        #expect(granted.count == 3)
    }

    @Test func aUnitNeverClaimedCannotBeGivenBack() throws {
        let engine = try CampaignEngine(campaign: Self.campaign(drops: 1, units: 2), liveHolds: [], nowMs: Self.startMs)
        #expect(throws: CampaignEngineError.self) {
            try engine.giveBack(unit: 0, customer: "ana", dropIndex: 0)
        }
        #expect(try engine.remaining(atMs: Self.startMs) == 2)
    }
}
