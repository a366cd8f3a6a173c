import BigRPC
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI

/// The calls the saga makes to the other services, each keyed by the order
/// id so that repeating it is safe. Each also carries an `idempotency-key`
/// naming the step and the order, which says so to every client in between:
/// a retry interceptor may then resend a step whose connection was lost
/// mid-call (the services on other hosts), as the saga itself would.
struct SagaSteps: Sendable {
    let orderLedger: Bigshop_Orders_V1_OrderLedger.Client
    let inventory: Bigshop_Catalog_V1_InventoryService.Client
    let payments: Bigshop_Payments_V1_PaymentLedger.Client
    let holds: Bigshop_Flashsale_V1_HoldLedger.Client
    let runner: StepRunner

    // MARK: Forward steps (give up after a few tries)

    /// The user's cart at current prices.
    func cart(of userID: String) async throws -> Bigshop_Orders_V1_Cart {
        try await runner.run("GetCartOf", orderID: nil, .forward) {
            try await orderLedger.getCartOf(Bigshop_Orders_V1_GetCartOfRequest(userId: userID))
        }
    }

    /// Holds every line's stock under reservation `orderID`, or nothing.
    func reserveStock(_ orderID: String, lines: [Bigshop_Orders_V1_OrderItem]) async throws -> Bigshop_Catalog_V1_StockReservation {
        let request = Bigshop_Catalog_V1_ReserveStockRequest(
            reservationId: orderID,
            lines: lines.map { Bigshop_Catalog_V1_StockLine(productId: $0.productId, quantity: $0.quantity) })
        return try await runner.run("ReserveStock", orderID: orderID, .forward) {
            try await inventory.reserveStock(request, metadata: Self.key("ReserveStock", orderID))
        }
    }

    /// Creates the saga's order PENDING_PAYMENT (a no-op if it exists).
    func createOrder(_ saga: SagaRecord) async throws -> Bigshop_Orders_V1_Order {
        let request = Bigshop_Orders_V1_CreateOrderRequest(order: saga.orderDraft, removeFromCart: saga.kind == .cart)
        return try await runner.run("CreateOrder", orderID: saga.orderID, .forward) {
            try await orderLedger.createOrder(request, metadata: Self.key("CreateOrder", saga.orderID))
        }
    }

    // MARK: Settling steps (retried until done)

    /// The order, or nil if it was never created.
    func order(_ orderID: String) async throws -> Bigshop_Orders_V1_Order? {
        try await runner.run("LookupOrder", orderID: orderID, .untilDone) {
            do {
                return try await orderLedger.lookupOrder(Bigshop_Orders_V1_LookupOrderRequest(orderId: orderID))
            } catch let error as RPCError where error.code == .notFound {
                return nil
            }
        }
    }

    /// Gives the order's units back: to stock (cart) or to the flash sale's
    /// pool (hold). A no-op if nothing is held.
    func releaseUnits(_ saga: SagaRecord) async throws {
        switch saga.kind {
        case .cart:
            _ = try await runner.run("ReleaseStock", orderID: saga.orderID, .untilDone) {
                try await inventory.releaseStock(
                    Bigshop_Catalog_V1_ReleaseStockRequest(reservationId: saga.orderID), metadata: Self.key("ReleaseStock", saga.orderID))
            }
        case .hold:
            _ = try await runner.run("ReleaseHold", orderID: saga.orderID, .untilDone) {
                try await holds.releaseHold(Bigshop_Flashsale_V1_SettleHoldRequest(orderId: saga.orderID), metadata: Self.key("ReleaseHold", saga.orderID))
            }
        }
    }

    /// Marks the order's units sold for good.
    func commitUnits(_ saga: SagaRecord) async throws {
        switch saga.kind {
        case .cart:
            _ = try await runner.run("CommitStock", orderID: saga.orderID, .untilDone) {
                try await inventory.commitStock(
                    Bigshop_Catalog_V1_CommitStockRequest(reservationId: saga.orderID), metadata: Self.key("CommitStock", saga.orderID))
            }
        case .hold:
            _ = try await runner.run("CommitHold", orderID: saga.orderID, .untilDone) {
                try await holds.commitHold(Bigshop_Flashsale_V1_SettleHoldRequest(orderId: saga.orderID), metadata: Self.key("CommitHold", saga.orderID))
            }
        }
    }

    /// PENDING_PAYMENT → CONFIRMED.
    func confirmOrder(_ orderID: String) async throws {
        _ = try await runner.run("ConfirmOrder", orderID: orderID, .untilDone) {
            try await orderLedger.confirmOrder(Bigshop_Orders_V1_ConfirmOrderRequest(orderId: orderID), metadata: Self.key("ConfirmOrder", orderID))
        }
    }

    /// PENDING_PAYMENT → CANCELLED with `reason`; a no-op for an order that
    /// was never created.
    func abandonOrder(_ orderID: String, reason: String) async throws {
        try await runner.run("AbandonOrder", orderID: orderID, .untilDone) {
            do {
                _ = try await orderLedger.abandonOrder(
                    Bigshop_Orders_V1_AbandonOrderRequest(orderId: orderID, reason: reason), metadata: Self.key("AbandonOrder", orderID))
            } catch let error as RPCError where error.code == .notFound {
                return
            }
        }
    }

    /// Expires the order's PENDING payments: it can no longer be paid.
    func closePayments(_ orderID: String) async throws {
        _ = try await runner.run("CloseOrderPayments", orderID: orderID, .untilDone) {
            try await payments.closeOrderPayments(
                Bigshop_Payments_V1_CloseOrderPaymentsRequest(orderId: orderID), metadata: Self.key("CloseOrderPayments", orderID))
        }
    }

    /// Declines the order's PENDING card payments, cut short by a crash.
    func abortInterruptedPayments(_ orderID: String) async throws {
        _ = try await runner.run("AbortInterruptedPayments", orderID: orderID, .untilDone) {
            try await payments.abortInterruptedPayments(
                Bigshop_Payments_V1_AbortInterruptedPaymentsRequest(orderId: orderID), metadata: Self.key("AbortInterruptedPayments", orderID))
        }
    }

    /// Every payment of the order, oldest first.
    func payments(of orderID: String) async throws -> [Bigshop_Payments_V1_Payment] {
        try await runner.run("ListPaymentsOf", orderID: orderID, .untilDone) {
            try await payments.listPaymentsOf(Bigshop_Payments_V1_ListPaymentsOfRequest(orderId: orderID)).payments
        }
    }

    /// The `idempotency-key` of one step of one order's saga.
    static func key(_ step: String, _ orderID: String) -> Metadata {
        [Metadata.idempotencyKey: "saga-\(step)-\(orderID)"]
    }
}
