import BigShopStore

/// What became of one drop's holds.
struct DropHoldCounts: Hashable, Sendable {
    var held = 0
    var sold = 0
    /// Released: expired or cancelled, the unit back in the pool.
    var returned = 0
    /// The most live (held or sold) holds of one customer.
    var mostHeldByOneCustomer = 0

    /// Every hold granted in the drop.
    var granted: Int { held + sold + returned }
}

extension FlashSaleStore {
    /// A campaign's holds by drop, for GetCampaignStats.
    func dropHoldCounts(campaignID: String) async throws -> [Int: DropHoldCounts] {
        try await database.read { connection in
            var counts: [Int: DropHoldCounts] = [:]
            for row in try connection.query(
                "SELECT drop_index, state, COUNT(*) FROM holds WHERE campaign_id = ? GROUP BY drop_index, state",
                .text(campaignID)
            ) {
                let (drop, count) = (try row.int(0), try row.int(2))
                switch Hold.State(rawValue: try row.string(1)) {
                case .held: counts[drop, default: .init()].held = count
                case .sold: counts[drop, default: .init()].sold = count
                case .released: counts[drop, default: .init()].returned = count
                case nil: throw FlashSaleDataError.unknownHoldState(try row.string(1))
                }
            }
            for row in try connection.query(
                """
                SELECT drop_index, MAX(n) FROM (
                    SELECT drop_index, COUNT(*) AS n FROM holds
                    WHERE campaign_id = ? AND state IN ('held', 'sold') GROUP BY drop_index, user_id
                ) AS per_customer GROUP BY drop_index
                """,
                .text(campaignID)
            ) {
                counts[try row.int(0), default: .init()].mostHeldByOneCustomer = try row.int(1)
            }
            return counts
        }
    }
}
