public import BigRPC
public import BigShopFlashSaleAPI
import BigShopServiceKit

extension FlashSaleServiceProvider {
    /// The most campaigns ListCampaigns returns.
    static let maxListedCampaigns = 100

    /// The campaigns not over yet, each with its next drop: current ones
    /// first, then upcoming ones by their next drop.
    public func listCampaigns(
        request: Bigshop_Flashsale_V1_ListCampaignsRequest,
        context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_ListCampaignsResponse {
        if let owner = try ownership.ownerToForwardTo(context) {
            return try await ownership.forwarded {
                try await Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: owner).listCampaigns(
                    request, metadata: ReplicaForwarding.metadata(for: context))
            }
        }
        _ = try ownership.ownerEpoch()
        let nowMs = clock.nowMs()
        var summaries: [Bigshop_Flashsale_V1_CampaignSummary] = []
        for engine in registry.engines where engine.campaign.endsAtMs > nowMs {
            summaries.append(
                Bigshop_Flashsale_V1_CampaignSummary(
                    campaign: engine.campaign.message, productName: engine.campaign.productName,
                    nextDrop: try currentDrop(of: engine, nowMs: nowMs, context)
                ))
        }
        summaries.sort {
            ($0.nextDrop?.startsAtMs ?? 0, $0.campaign?.id ?? "") < ($1.nextDrop?.startsAtMs ?? 0, $1.campaign?.id ?? "")
        }
        return .init(campaigns: Array(summaries.prefix(Self.maxListedCampaigns)))
    }

    /// Where every unit of a campaign is: the pool's counts from the engine,
    /// the holds' from the database. Admin only.
    public func getCampaignStats(
        request: Bigshop_Flashsale_V1_GetCampaignStatsRequest,
        context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_CampaignStats {
        guard try context.requirePrincipal().isAdmin else {
            throw RPCError(.permissionDenied, "this method is for admins")
        }
        if let owner = try ownership.ownerToForwardTo(context) {
            return try await ownership.forwarded {
                try await Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: owner).getCampaignStats(
                    request, metadata: ReplicaForwarding.metadata(for: context))
            }
        }
        _ = try ownership.ownerEpoch()
        let engine = try engine(request.campaignId)
        let campaign = engine.campaign
        let counts = try await store.dropHoldCounts(campaignID: campaign.id)
        let nowMs = clock.nowMs()
        let remaining = try checked(engine.remaining(atMs: nowMs), context)
        var stats = Bigshop_Flashsale_V1_CampaignStats(
            campaignId: campaign.id, atMs: nowMs,
            unitsReleased: Int32(clamping: engine.unitsReleased(atMs: nowMs)), remaining: Int32(clamping: remaining)
        )
        // Holds of a drop not started cannot exist; listed anyway if they do.
        let drops = max(campaign.dropsStarted(atMs: nowMs), (counts.keys.max() ?? -1) + 1)
        for index in 0..<drops {
            let drop = counts[index] ?? DropHoldCounts()
            stats.held += Int32(clamping: drop.held)
            stats.sold += Int32(clamping: drop.sold)
            stats.returned += Int32(clamping: drop.returned)
            stats.drops.append(
                Bigshop_Flashsale_V1_DropStats(
                    index: Int32(clamping: index), startsAtMs: campaign.startOfDrop(index),
                    unitsAdded: Int32(clamping: index < campaign.drops ? campaign.unitsPerDrop : 0),
                    granted: Int32(clamping: drop.granted), held: Int32(clamping: drop.held),
                    sold: Int32(clamping: drop.sold), returned: Int32(clamping: drop.returned),
                    mostHeldByOneCustomer: Int32(clamping: drop.mostHeldByOneCustomer)
                ))
        }
        return stats
    }
}
