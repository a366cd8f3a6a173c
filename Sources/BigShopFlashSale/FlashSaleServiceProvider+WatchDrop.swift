public import BigRPC
public import BigShopFlashSaleAPI
import BigShopServiceKit

extension FlashSaleServiceProvider {
    /// How often a watcher's drop is looked at.
    static let watchInterval = Duration.milliseconds(50)
    /// The longest a watcher goes without an update, changed or not: how a
    /// gateway tells a live feed from one whose owner died silently.
    static let watchHeartbeat = Duration.seconds(1)

    /// The campaign's drop now, then on every change and at least every
    /// second. A standby forwards the watch to the owner; an owner that loses
    /// its lease ends the watch with UNAVAILABLE, so that watchers come back
    /// to the new one.
    public func watchDrop(
        request: Bigshop_Flashsale_V1_WatchDropRequest,
        response: RPCWriter<Bigshop_Flashsale_V1_DropUpdate>,
        context: ServerContext
    ) async throws {
        if let owner = try ownership.ownerToForwardTo(context) {
            try await ownership.forwarded {
                try await Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: owner).watchDrop(
                    request, metadata: ReplicaForwarding.metadata(for: context)
                ) { updates in
                    for try await update in updates { try await response.write(update) }
                }
            }
            return
        }
        _ = try ownership.ownerEpoch()
        let engine = try engine(request.campaignId)
        var sent: Bigshop_Flashsale_V1_DropUpdate?
        var sentAt = ContinuousClock.now
        while true {
            _ = try ownership.ownerEpoch()
            var update = try dropUpdate(of: engine, nowMs: clock.nowMs(), context)
            let atMs = update.atMs
            update.atMs = sent?.atMs ?? atMs  // compare everything but the time
            if update != sent || ContinuousClock.now - sentAt >= Self.watchHeartbeat {
                update.atMs = atMs
                try await response.write(update)
                sent = update
                sentAt = .now
            }
            try await Task.sleep(for: Self.watchInterval)
        }
    }

    /// What WatchDrop sends about `engine`'s campaign at `nowMs`.
    func dropUpdate(
        of engine: CampaignEngine, nowMs: Int64, _ context: ServerContext
    ) throws(RPCError) -> Bigshop_Flashsale_V1_DropUpdate {
        let campaign = engine.campaign
        let open = campaign.dropIndex(atMs: nowMs) != nil
        let started = campaign.dropsStarted(atMs: nowMs)
        return Bigshop_Flashsale_V1_DropUpdate(
            drop: try currentDrop(of: engine, nowMs: nowMs, context), atMs: nowMs, open: open,
            nextDropAtMs: started < campaign.drops ? campaign.startOfDrop(started) : 0)
    }
}
