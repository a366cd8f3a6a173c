import Testing

@testable import BigShopFlashSale

/// The test-only fault that lets a test prove a checker catches an oversell.
@Suite struct FlashSaleFaultsTests {
    @Test func withoutTheFaultADropNeverGrantsMoreThanItsUnits() throws {
        let engine = try CampaignEngine(campaign: CampaignEngineTests.campaign(drops: 2), liveHolds: [], nowMs: CampaignEngineTests.startMs)
        #expect(try Self.granted(engine, customers: 5, atMs: CampaignEngineTests.startMs).count == 3)
    }

    @Test func oversellGrantsOneUnitPastTheLastOncePerDrop() throws {
        let campaign = CampaignEngineTests.campaign(drops: 2)
        let engine = try CampaignEngine(
            campaign: campaign, liveHolds: [], nowMs: CampaignEngineTests.startMs, faults: .init(oversellOneUnitPerDrop: true))
        let first = try Self.granted(engine, customers: 6, atMs: CampaignEngineTests.startMs, prefix: "a")
        #expect(first.count == 4)
        #expect(first.contains(UInt32(campaign.totalUnits)), "the extra unit does not exist")
        // The next drop: its 3 units, and one more, once.
        let nextDropMs = CampaignEngineTests.startMs + campaign.dropIntervalMs
        let second = try Self.granted(engine, customers: 6, atMs: nextDropMs, prefix: "b")
        #expect(second.count == 4)
        #expect(second.contains(UInt32(campaign.totalUnits + 1)))
    }

    /// The units granted when `customers` new customers claim once each.
    static func granted(_ engine: CampaignEngine, customers: Int, atMs nowMs: Int64, prefix: String = "c") throws -> [UInt32] {
        try (0..<customers).compactMap { index in
            if case .granted(let unit, _) = try engine.claim(customer: "\(prefix)\(index)", nowMs: nowMs) { return unit }
            return nil
        }
    }
}
