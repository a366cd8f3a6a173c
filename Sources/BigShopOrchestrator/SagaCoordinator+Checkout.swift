import BigRPC
import BigShopCatalogAPI
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopServiceKit

extension SagaCoordinator {
    /// Checks out `userID`'s cart: `reserving` → `creating` →
    /// `awaiting_payment`. With an idempotency key, a retry (even one racing
    /// the first call) returns the same order.
    func startCheckout(userID: String, idempotencyKey: String?) async throws -> Bigshop_Orders_V1_Order {
        guard let idempotencyKey else {
            return try await shielded { try await self.checkout(userID: userID, idempotencyKey: nil) }
        }
        return try await flights.run("checkout\u{1F}\(userID)\u{1F}\(idempotencyKey)") {
            try await self.checkout(userID: userID, idempotencyKey: idempotencyKey)
        }
    }

    /// Makes a flash-sale hold an order: `creating` → `awaiting_payment`.
    /// Repeating an order id returns that order.
    func startHoldOrder(_ request: Bigshop_Orchestrator_V1_StartHoldOrderRequest) async throws -> Bigshop_Orders_V1_Order {
        try await flights.run("hold\u{1F}\(request.orderId)") { try await self.holdOrder(request) }
    }

    private func checkout(userID: String, idempotencyKey: String?) async throws -> Bigshop_Orders_V1_Order {
        let scope = "checkout:" + userID
        if let idempotencyKey, let earlier = try await store.saga(idempotencyKey: idempotencyKey, scope: scope) {
            return try await answer(settle(earlier.orderID))
        }
        let cart = try await steps.cart(of: userID)
        guard !cart.items.isEmpty else {
            throw RPCError.refused(CheckoutSagaReason.emptyCart, "the cart is empty")
        }
        let now = clock.nowMs()
        let saga = SagaRecord(
            orderID: ShopID.make("ord"), kind: .cart, userID: userID, state: .reserving, reason: "", paymentID: "",
            lines: cart.items.map {
                Bigshop_Orders_V1_OrderItem(
                    productId: $0.productId, name: $0.name, quantity: $0.quantity, unitPriceCents: $0.unitPriceCents)
            },
            amountCents: cart.totalCents, paymentDueAtMs: 0, campaignID: "", createdAtMs: now, updatedAtMs: now)
        let inserted: Bool
        do {
            inserted = try await store.insertCheckout(
                saga, idempotencyKey: idempotencyKey.map { (scope, $0) }, limits: settings.limits, nowMs: now)
        } catch let refusal as CheckoutRefusal {
            logger.info(
                "checkout refused by the shop rules",
                metadata: [
                    "user-id": "\(userID)", "refusal": "\(refusal)",
                ])
            throw refusal.rpcError
        }
        guard inserted else {
            throw RPCError(.aborted, "a checkout with this idempotency-key is already running")
        }
        logStart(saga)

        let reservation: Bigshop_Catalog_V1_StockReservation
        do {
            reservation = try await steps.reserveStock(saga.orderID, lines: saga.lines)
        } catch let error as RPCError where error.code == .failedPrecondition || error.code == .invalidArgument {
            // All or nothing: a refused reservation holds nothing.
            let reason =
                error.code == .failedPrecondition
                ? error.metadata[Metadata.reasonKey] ?? CheckoutSagaReason.outOfStock
                : CheckoutSagaReason.invalidCart
            _ = try await move(saga, to: .failed, Self.failure(reason))
            throw error
        } catch {
            throw try await compensate(saga, after: error)
        }
        guard reservation.state == .held else {
            // The reservation id was released before (a compensation that
            // overtook this call): it holds nothing and never will.
            throw try await compensate(saga, after: RPCError(.aborted, "the stock reservation was cancelled; retry"))
        }

        let lines = reservation.lines.map {
            Bigshop_Orders_V1_OrderItem(
                productId: $0.productId, name: $0.name, quantity: $0.quantity, unitPriceCents: $0.unitPriceCents)
        }
        guard let total = Self.total(of: lines) else {
            throw try await compensate(saga, after: RPCError(.invalidArgument, "the order's total is beyond Int64"))
        }
        let change = SagaChange(
            lines: lines, amountCents: total, paymentDueAtMs: clock.nowMs().addingSaturated(settings.paymentWindowMs))
        guard try await move(saga, to: .creating, change) else {
            throw lostRace(saga)
        }
        return try await createOrder(for: saga.moved(to: .creating, change))
    }

    private func holdOrder(_ request: Bigshop_Orchestrator_V1_StartHoldOrderRequest) async throws -> Bigshop_Orders_V1_Order {
        if let existing = try await store.saga(request.orderId) {
            guard existing.kind == .hold, existing.userID == request.userId else {
                throw RPCError(.alreadyExists, "order \(request.orderId.statusPrefix()) exists and is not this hold's")
            }
            return try await answer(settle(existing.orderID))
        }
        let now = clock.nowMs()
        let saga = SagaRecord(
            orderID: request.orderId, kind: .hold, userID: request.userId, state: .creating, reason: "", paymentID: "",
            lines: [
                Bigshop_Orders_V1_OrderItem(
                    productId: request.productId, name: request.productName, quantity: 1,
                    unitPriceCents: request.priceCents)
            ],
            amountCents: request.priceCents, paymentDueAtMs: request.paymentDueAtMs, campaignID: request.campaignId,
            createdAtMs: now, updatedAtMs: now)
        guard try await store.insert(saga, idempotencyKey: nil) else {
            return try await answer(settle(request.orderId))
        }
        logStart(saga)
        return try await createOrder(for: saga)
    }

    /// Creates the order of a saga in `creating` and opens its payment
    /// window. If creating it keeps failing, whether the order exists decides,
    /// as in recovery: it does → `awaiting_payment`; it does not → the units
    /// are released and the saga fails with the error.
    private func createOrder(for saga: SagaRecord) async throws -> Bigshop_Orders_V1_Order {
        let order: Bigshop_Orders_V1_Order
        do {
            order = try await steps.createOrder(saga)
        } catch {
            if Self.isCancellation(error) { throw CancellationError() }
            let settled = try await settle(saga.orderID)
            if settled.state == .failed { throw error }
            return try await answer(settled)
        }
        guard try await move(saga, to: .awaitingPayment) else {
            return try await answer(settle(saga.orderID))
        }
        return order
    }

    /// Gives up a checkout in `reserving` after `error`: releases whatever
    /// the reservation may have held and fails the saga. Returns the error
    /// to throw (cancellation stops here, leaving the rest to recovery).
    private func compensate(_ saga: SagaRecord, after error: any Error) async throws -> any Error {
        if Self.isCancellation(error) { return CancellationError() }
        logger.warning("checkout gives up", metadata: ["order-id": "\(saga.orderID)", "error": "\(error)"])
        try await settle(saga.orderID)
        return error
    }

    /// A transition that cannot fail did: another flow drove this new order.
    private func lostRace(_ saga: SagaRecord) -> RPCError {
        logger.error("saga moved by another flow", metadata: ["order-id": "\(saga.orderID)", "state": "\(saga.state.rawValue)"])
        return RPCError(.aborted, "order \(saga.orderID) was changed concurrently")
    }

    private func logStart(_ saga: SagaRecord) {
        logger.info(
            "saga started in \(saga.state.rawValue)",
            metadata: [
                "order-id": "\(saga.orderID)", "kind": "\(saga.kind.rawValue)", "user-id": "\(saga.userID)",
            ])
    }

    /// Σ quantity × unit price, or nil if it overflows.
    static func total(of lines: [Bigshop_Orders_V1_OrderItem]) -> Int64? {
        var total: Int64 = 0
        for line in lines {
            let (amount, overflow) = line.quantity.multipliedReportingOverflow(by: line.unitPriceCents)
            let (sum, sumOverflow) = total.addingReportingOverflow(amount)
            guard !overflow, !sumOverflow else { return nil }
            total = sum
        }
        return total
    }
}
