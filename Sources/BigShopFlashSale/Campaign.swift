import BigRPC
import BigShopFlashSaleAPI

/// A flash-sale campaign: `drops` drops of `unitsPerDrop` units each, one
/// every `dropIntervalMs` from `startsAtMs`, sold at `priceCents`, each unit
/// held `holdMs` for payment, at most `perCustomerLimit` units per customer
/// per drop.
struct Campaign: Hashable, Sendable {
    var id: String
    var productID: String
    var productName: String
    var startsAtMs: Int64
    var drops: Int
    var unitsPerDrop: Int
    var priceCents: Int64
    var dropIntervalMs: Int64
    var holdMs: Int64
    var perCustomerLimit: Int

    /// Every unit the campaign will ever release.
    var totalUnits: Int { drops * unitsPerDrop }

    /// When the last drop ends: the campaign is over after this.
    var endsAtMs: Int64 { startsAtMs + Int64(drops) * dropIntervalMs }

    /// The drop open at `nowMs`, or nil before the first and after the last.
    func dropIndex(atMs nowMs: Int64) -> Int? {
        guard nowMs >= startsAtMs, nowMs < endsAtMs else { return nil }
        return Int((nowMs - startsAtMs) / dropIntervalMs)
    }

    /// How many drops have started by `nowMs`.
    func dropsStarted(atMs nowMs: Int64) -> Int {
        guard nowMs >= startsAtMs else { return 0 }
        return min(drops, Int((nowMs - startsAtMs) / dropIntervalMs) + 1)
    }

    /// When drop `index` starts.
    func startOfDrop(_ index: Int) -> Int64 {
        startsAtMs + Int64(index) * dropIntervalMs
    }

    /// The unit tokens drop `index` releases.
    func units(ofDrop index: Int) -> Range<UInt32> {
        UInt32(index * unitsPerDrop)..<UInt32((index + 1) * unitsPerDrop)
    }

    var message: Bigshop_Flashsale_V1_Campaign {
        Bigshop_Flashsale_V1_Campaign(
            id: id, productId: productID, startsAtMs: startsAtMs, drops: Int32(clamping: drops),
            unitsPerDrop: Int32(clamping: unitsPerDrop), priceCents: priceCents, dropIntervalMs: dropIntervalMs,
            holdMs: holdMs, perCustomerLimit: Int32(clamping: perCustomerLimit)
        )
    }
}

extension Campaign {
    /// The defaults flashsale.proto gives ScheduleCampaign: 24 drops × 100 units at 100 centavos, an hour
    /// apart, a 10-minute hold, one unit per customer per drop.
    static let defaultDrops = 24
    static let defaultUnitsPerDrop = 100
    static let defaultPriceCents: Int64 = 100
    static let defaultDropIntervalMs: Int64 = 3_600_000
    static let defaultHoldMs: Int64 = 600_000
    static let defaultPerCustomerLimit = 1
    /// The ring holds every unit of a campaign: bound it.
    static let maxTotalUnits = 1_000_000
    /// The highest price, as the catalog's: R$ 1.000.000.000,00.
    static let maxPriceCents: Int64 = 100_000_000_000

    /// The demo campaign of `bigshop serve --seed-demo`: its first drop opens
    /// a minute after `nowMs`, then one every hour, 24 drops of 100 units at
    /// R$ 1,00, one per customer per drop. Holds last a minute, not ten, so
    /// that a rehearsal (`bigprobe rehearse`) sees unpaid holds come back
    /// without a long wait.
    static func demo(id: String, productID: String, productName: String, nowMs: Int64) -> Campaign {
        Campaign(
            id: id, productID: productID, productName: productName, startsAtMs: nowMs + 60_000, drops: defaultDrops,
            unitsPerDrop: defaultUnitsPerDrop, priceCents: defaultPriceCents, dropIntervalMs: defaultDropIntervalMs,
            holdMs: 60_000, perCustomerLimit: defaultPerCustomerLimit
        )
    }

    /// A campaign from a request, zero fields taking the defaults; a missing
    /// start means the start of the current hour (drop 0 opens at once).
    static func make(
        id: String,
        request: Bigshop_Flashsale_V1_ScheduleCampaignRequest,
        productName: String,
        nowMs: Int64
    ) throws(RPCError) -> Campaign {
        func positive<T: BinaryInteger>(_ value: T, _ field: String) throws(RPCError) -> T {
            guard value >= 0 else { throw RPCError(.invalidArgument, "\(field) must not be negative") }
            return value
        }
        let campaign = Campaign(
            id: id,
            productID: request.productId,
            productName: productName,
            startsAtMs: try positive(request.startsAtMs, "starts_at_ms") == 0
                ? nowMs - nowMs % defaultDropIntervalMs : request.startsAtMs,
            drops: try positive(Int(request.drops), "drops") == 0 ? defaultDrops : Int(request.drops),
            unitsPerDrop: try positive(Int(request.unitsPerDrop), "units_per_drop") == 0
                ? defaultUnitsPerDrop : Int(request.unitsPerDrop),
            priceCents: try positive(request.priceCents, "price_cents") == 0 ? defaultPriceCents : request.priceCents,
            dropIntervalMs: try positive(request.dropIntervalMs, "drop_interval_ms") == 0
                ? defaultDropIntervalMs : request.dropIntervalMs,
            holdMs: try positive(request.holdMs, "hold_ms") == 0 ? defaultHoldMs : request.holdMs,
            perCustomerLimit: try positive(Int(request.perCustomerLimit), "per_customer_limit") == 0
                ? defaultPerCustomerLimit : Int(request.perCustomerLimit)
        )
        guard campaign.drops.multipliedReportingOverflow(by: campaign.unitsPerDrop).overflow == false,
            campaign.totalUnits <= maxTotalUnits
        else {
            throw RPCError(.invalidArgument, "drops × units_per_drop must be at most \(maxTotalUnits)")
        }
        guard campaign.priceCents <= maxPriceCents else {
            throw RPCError(.invalidArgument, "price_cents must be at most \(maxPriceCents)")
        }
        let day: Int64 = 86_400_000
        guard (1000...366 * day).contains(campaign.dropIntervalMs) else {
            throw RPCError(.invalidArgument, "drop_interval_ms must be between 1000 and a year")
        }
        guard (1000...30 * day).contains(campaign.holdMs) else {
            throw RPCError(.invalidArgument, "hold_ms must be between 1000 and 30 days")
        }
        guard campaign.startsAtMs < 100_000 * 366 * day else {
            throw RPCError(.invalidArgument, "starts_at_ms is too far in the future")
        }
        return campaign
    }
}
