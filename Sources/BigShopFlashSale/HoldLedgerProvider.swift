public import BigRPC
public import BigShopFlashSaleAPI
import BigShopServiceKit
import Logging

/// `bigshop.flashsale.v1.HoldLedger` (internal): the checkout saga settles
/// holds here. Both calls are idempotent per order id, and served by the
/// owner only: a released unit goes back to the owner's ring.
public struct HoldLedgerProvider: Bigshop_Flashsale_V1_HoldLedger.ServiceProtocol {
    let registry: CampaignRegistry
    let store: FlashSaleStore
    let ownership: FlashSaleOwnership
    let clock: any ShopClock
    let logger: Logger

    public func commitHold(
        request: Bigshop_Flashsale_V1_SettleHoldRequest,
        context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_SettleHoldResponse {
        if let owner = try ownership.ownerToForwardTo(context) {
            return try await ownership.forwarded {
                try await Bigshop_Flashsale_V1_HoldLedger.Client(wrapping: owner).commitHold(
                    request, metadata: ReplicaForwarding.metadata(for: context))
            }
        }
        let epoch = try ownership.ownerEpoch()
        if let hold = try await ownership.fenced({
            try await store.settle(orderID: request.orderId, to: .sold, atMs: clock.nowMs(), epoch: epoch)
        }) {
            FlashSaleMetrics.settled(hold.campaignID, sold: true)
        }
        return .init()
    }

    public func releaseHold(
        request: Bigshop_Flashsale_V1_SettleHoldRequest,
        context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_SettleHoldResponse {
        // Only the call that moves the hold from held to released gives the
        // unit back, so a repeated release never frees it twice.
        if let owner = try ownership.ownerToForwardTo(context) {
            return try await ownership.forwarded {
                try await Bigshop_Flashsale_V1_HoldLedger.Client(wrapping: owner).releaseHold(
                    request, metadata: ReplicaForwarding.metadata(for: context))
            }
        }
        let epoch = try ownership.ownerEpoch()
        if let hold = try await ownership.fenced({
            try await store.settle(orderID: request.orderId, to: .released, atMs: clock.nowMs(), epoch: epoch)
        }) {
            do {
                try registry.engine(hold.campaignID)?.giveBack(unit: hold.unit, customer: hold.userID, dropIndex: hold.dropIndex)
            } catch {
                // A bug: the hold is released in the database (a retry is a
                // no-op); this call fails, the process goes on.
                logger.error(
                    "flash-sale engine inconsistent",
                    metadata: [
                        "order-id": "\(hold.orderID)", "campaign-id": "\(hold.campaignID)", "error": "\(error)",
                    ])
                throw RPCError(.internal, "internal error")
            }
            FlashSaleMetrics.settled(hold.campaignID, sold: false)
            logger.debug("unit back in the pool", metadata: ["order-id": "\(hold.orderID)", "campaign-id": "\(hold.campaignID)"])
        }
        return .init()
    }
}
