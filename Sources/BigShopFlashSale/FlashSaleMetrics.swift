import Metrics

/// The flash sale's metrics (docs/OPERATIONS.md, "Metrics"):
///
/// - `bigshop_flashsale_reserves_total{campaign,outcome}`: Reserve calls by
///   outcome: `OK` (a unit held), `SOLD_OUT`, `NO_ACTIVE_DROP`,
///   `LIMIT_REACHED`, `UNAVAILABLE` (the hold could not be recorded);
///   holds per second is the rate of `outcome="OK"`;
/// - `bigshop_flashsale_remaining_units{campaign}`: units that can be
///   reserved now, set after every Reserve and at every scrape;
/// - `bigshop_flashsale_current_drop{campaign}`: the index of the drop
///   open now, -1 when none is;
/// - `bigshop_flashsale_holds_released_total{campaign}` and
///   `bigshop_flashsale_holds_sold_total{campaign}`: holds settled by the
///   checkout saga (released: the order expired unpaid or was cancelled).
enum FlashSaleMetrics {
    static let reserves = "bigshop_flashsale_reserves_total"
    static let remainingUnits = "bigshop_flashsale_remaining_units"
    static let currentDrop = "bigshop_flashsale_current_drop"
    static let holdsReleased = "bigshop_flashsale_holds_released_total"
    static let holdsSold = "bigshop_flashsale_holds_sold_total"

    static func reserved(_ campaignID: String, outcome: String) {
        Counter(label: reserves, dimensions: [("campaign", campaignID), ("outcome", outcome)]).increment()
    }

    static func remaining(_ engine: CampaignEngine, atMs nowMs: Int64) {
        guard let units = try? engine.remaining(atMs: nowMs) else { return }
        let campaign = [("campaign", engine.campaign.id)]
        Gauge(label: remainingUnits, dimensions: campaign).record(units)
        Gauge(label: currentDrop, dimensions: campaign).record(engine.campaign.dropIndex(atMs: nowMs) ?? -1)
    }

    static func settled(_ campaignID: String, sold: Bool) {
        Counter(label: sold ? holdsSold : holdsReleased, dimensions: [("campaign", campaignID)]).increment()
    }
}
