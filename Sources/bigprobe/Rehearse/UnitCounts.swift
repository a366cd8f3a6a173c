import BigShopFlashSaleAPI

/// Where a campaign's units were at one moment, as the server's
/// GetCampaignStats said.
struct UnitCounts: Codable, Equatable, Sendable {
    var unitsReleased: Int
    var sold: Int
    var held: Int
    var remaining: Int
    /// Units of holds that expired or were cancelled, back in the pool.
    var returned: Int

    init(_ stats: Bigshop_Flashsale_V1_CampaignStats) {
        unitsReleased = Int(stats.unitsReleased)
        sold = Int(stats.sold)
        held = Int(stats.held)
        remaining = Int(stats.remaining)
        returned = Int(stats.returned)
    }

    /// sold + held + remaining = units released: no unit oversold or lost.
    var balances: Bool { sold + held + remaining == unitsReleased }
}
