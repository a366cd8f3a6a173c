public import BigRPC
import BigShopCatalogAPI
public import BigShopFlashSaleAPI
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopServiceKit
import Logging

/// `bigshop.flashsale.v1.FlashSaleService`: hourly drops of units at a
/// campaign price, reserved by customers in a burst.
///
/// Reserve decides in memory (``CampaignEngine``: no lock, no disk), then
/// records the hold durably with group commit before answering, then makes
/// it a PENDING_PAYMENT order through the checkout saga. Refusals: no drop
/// open → FAILED_PRECONDITION `NO_ACTIVE_DROP`; pool empty →
/// FAILED_PRECONDITION `SOLD_OUT`; limit reached → ALREADY_EXISTS
/// `LIMIT_REACHED`.
///
/// Only the owner of the flash sale (``FlashSaleModule``) serves these calls;
/// a standby forwards them to it, the caller's principal included.
public struct FlashSaleServiceProvider: Bigshop_Flashsale_V1_FlashSaleService.ServiceProtocol {
    let registry: CampaignRegistry
    let store: FlashSaleStore
    let ownership: FlashSaleOwnership
    let clock: any ShopClock
    let inventory: Bigshop_Catalog_V1_InventoryService.Client
    let saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client
    let logger: Logger

    public func scheduleCampaign(
        request: Bigshop_Flashsale_V1_ScheduleCampaignRequest,
        context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_Campaign {
        guard try context.requirePrincipal().isAdmin else {
            throw RPCError(.permissionDenied, "this method is for admins")
        }
        guard !request.productId.isEmpty else { throw RPCError(.invalidArgument, "product_id is required") }
        if let owner = try ownership.ownerToForwardTo(context) {
            return try await ownership.forwarded {
                try await Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: owner).scheduleCampaign(
                    request, metadata: ReplicaForwarding.metadata(for: context))
            }
        }
        let epoch = try ownership.ownerEpoch()
        let found = try await inventory.lookupProducts(.init(ids: [request.productId]))
        guard let product = found.products.first(where: { $0.id == request.productId }) else {
            throw RPCError(.invalidArgument, "product_id names no product")
        }
        let nowMs = clock.nowMs()
        let campaign = try Campaign.make(id: ShopID.make("cmp"), request: request, productName: product.name, nowMs: nowMs)
        try await ownership.fenced { try await store.insertCampaign(campaign, createdAtMs: nowMs, epoch: epoch) }
        registry.add(try CampaignEngine(campaign: campaign, liveHolds: [], nowMs: nowMs, faults: registry.faults))
        context.logger(logger).info(
            "campaign scheduled",
            metadata: [
                "campaign-id": "\(campaign.id)", "product-id": "\(campaign.productID)",
                "drops": "\(campaign.drops)", "units-per-drop": "\(campaign.unitsPerDrop)",
            ])
        return campaign.message
    }

    public func getCurrentDrop(
        request: Bigshop_Flashsale_V1_GetCurrentDropRequest,
        context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_Drop {
        if let owner = try ownership.ownerToForwardTo(context) {
            return try await ownership.forwarded {
                try await Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: owner).getCurrentDrop(
                    request, metadata: ReplicaForwarding.metadata(for: context))
            }
        }
        _ = try ownership.ownerEpoch()
        return try currentDrop(of: try engine(request.campaignId), nowMs: clock.nowMs(), context)
    }

    /// The drop of `engine`'s campaign open at `nowMs`; before the first
    /// drop, drop 0, to come; after the last, the last.
    func currentDrop(of engine: CampaignEngine, nowMs: Int64, _ context: ServerContext) throws(RPCError) -> Bigshop_Flashsale_V1_Drop {
        let campaign = engine.campaign
        let index = campaign.dropIndex(atMs: nowMs) ?? (nowMs < campaign.startsAtMs ? 0 : campaign.drops - 1)
        return Bigshop_Flashsale_V1_Drop(
            campaignId: campaign.id,
            index: Int32(clamping: index),
            startsAtMs: campaign.startOfDrop(index),
            endsAtMs: campaign.startOfDrop(index + 1),
            unitsReleased: Int32(clamping: engine.unitsReleased(atMs: nowMs)),
            remaining: Int32(clamping: try checked(engine.remaining(atMs: nowMs), context)),
            priceCents: campaign.priceCents,
            productId: campaign.productID
        )
    }

    public func reserve(
        request: Bigshop_Flashsale_V1_ReserveRequest,
        context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_Reservation {
        let customer = try context.requirePrincipal().userID
        if let owner = try ownership.ownerToForwardTo(context) {
            return try await ownership.forwarded {
                try await Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: owner).reserve(
                    request, metadata: ReplicaForwarding.metadata(for: context))
            }
        }
        let epoch = try ownership.ownerEpoch()
        let engine = try engine(request.campaignId)
        let nowMs = clock.nowMs()
        let unit: UInt32
        let dropIndex: Int
        let claim = try checked(engine.claim(customer: customer, nowMs: nowMs), context)
        defer { FlashSaleMetrics.remaining(engine, atMs: nowMs) }
        switch claim {
        case .granted(let claimed, let drop):
            (unit, dropIndex) = (claimed, drop)
        case .noActiveDrop:
            FlashSaleMetrics.reserved(request.campaignId, outcome: "NO_ACTIVE_DROP")
            throw FlashSaleRefusal.noActiveDrop
        case .soldOut:
            FlashSaleMetrics.reserved(request.campaignId, outcome: "SOLD_OUT")
            throw FlashSaleRefusal.soldOut
        case .limitReached:
            FlashSaleMetrics.reserved(request.campaignId, outcome: "LIMIT_REACHED")
            throw FlashSaleRefusal.limitReached
        }

        let campaign = engine.campaign
        let hold = Hold(
            id: ShopID.make("hld"), campaignID: campaign.id, unit: unit, userID: customer, dropIndex: dropIndex,
            orderID: ShopID.make("ord"), state: .held, createdAtMs: nowMs, expiresAtMs: nowMs + campaign.holdMs
        )
        do {
            try await store.insertHold(hold, epoch: epoch)
        } catch {
            // Not durable, so not granted: the unit goes back at once. A lost
            // lease (another instance took over) is one such case: its ring,
            // rebuilt from the database, never saw this unit taken.
            context.logger(logger).error("hold not recorded", metadata: ["error": "\(error)"])
            _ = try checked(engine.giveBack(unit: unit, customer: customer, dropIndex: dropIndex), context)
            FlashSaleMetrics.reserved(request.campaignId, outcome: "UNAVAILABLE")
            throw RPCError(
                .unavailable, "the reservation could not be recorded; try again",
                metadata: [Metadata.retryAfterKey: String(ownership.retryAfterMs)])
        }
        FlashSaleMetrics.reserved(request.campaignId, outcome: "OK")
        // The hold is durable: from here on it is the saga's to settle. If the
        // order cannot be created now, the reconciler creates it later.
        _ = try await HoldOrders.create(for: hold, campaign: campaign, saga: saga)
        context.logger(logger).debug(
            "unit reserved",
            metadata: [
                "campaign-id": "\(campaign.id)", "drop": "\(dropIndex)",
                "order-id": "\(hold.orderID)",
            ])
        return Bigshop_Flashsale_V1_Reservation(
            id: hold.id, campaignId: campaign.id, dropIndex: Int32(clamping: dropIndex), orderId: hold.orderID,
            expiresAtMs: hold.expiresAtMs
        )
    }

    /// `value`, or INTERNAL (logged at error) if the engine found its
    /// bookkeeping broken: a bug fails this call, never the process.
    func checked<T>(
        _ value: @autoclosure () throws(CampaignEngineError) -> T,
        _ context: ServerContext
    ) throws(RPCError) -> T {
        do {
            return try value()
        } catch {
            context.logger(logger).error(
                "flash-sale engine inconsistent",
                metadata: [
                    "error": "\(error)"
                ])
            throw RPCError(.internal, "internal error")
        }
    }

    func engine(_ campaignID: String) throws(RPCError) -> CampaignEngine {
        guard !campaignID.isEmpty else { throw RPCError(.invalidArgument, "campaign_id is required") }
        guard let engine = registry.engine(campaignID) else { throw RPCError(.notFound, "no such campaign") }
        return engine
    }
}

/// Makes a hold's order through the checkout saga (idempotent per order id).
enum HoldOrders {
    static func create(
        for hold: Hold,
        campaign: Campaign,
        saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client
    ) async throws -> Bigshop_Orders_V1_Order {
        try await saga.startHoldOrder(
            .init(
                orderId: hold.orderID, userId: hold.userID, productId: campaign.productID,
                productName: campaign.productName, priceCents: campaign.priceCents,
                paymentDueAtMs: hold.expiresAtMs, campaignId: campaign.id
            ))
    }
}
