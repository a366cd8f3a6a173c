public import BigRPC
public import BigShopOrchestratorAPI
public import BigShopOrdersAPI

/// The internal `bigshop.orchestrator.v1.CheckoutSaga`: every multi-service
/// flow of an order, as `docs/CHECKOUT.md` describes it. Not for the public
/// port: callers (Orders, Payments, the flash sale) check who may act.
///
/// Each call runs to its end in a task of the orchestrator's own, even if
/// the caller goes away, so that no flow stops half-way; a retry finds the
/// result.
///
/// Get one from ``OrchestratorModule``.
public struct CheckoutSagaProvider: Bigshop_Orchestrator_V1_CheckoutSaga.ServiceProtocol {
    let coordinator: SagaCoordinator

    /// Reserves the cart's stock (all or none), creates the order
    /// PENDING_PAYMENT with frozen prices and opens its payment window.
    /// FAILED_PRECONDITION reason `EMPTY_CART` or `OUT_OF_STOCK`, or one of
    /// the ``CheckoutLimits`` (`TOO_MANY_UNPAID_ORDERS`,
    /// `PRODUCT_LIMIT_REACHED`, `CHECKOUT_COOLING_DOWN` with
    /// `retry-after-ms`): nothing is held then. With an `idempotency_key`, a
    /// retry returns the same order.
    public func startCheckout(
        request: Bigshop_Orchestrator_V1_StartCheckoutRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        try Self.require(request.userId, "user_id")
        do {
            let order = try await coordinator.startCheckout(
                userID: request.userId, idempotencyKey: request.idempotencyKey.isEmpty ? nil : request.idempotencyKey)
            SagaMetrics.checkout(kind: "cart", outcome: "OK")
            return order
        } catch {
            SagaMetrics.checkout(kind: "cart", outcome: SagaMetrics.outcome(of: error))
            throw error
        }
    }

    /// Makes a flash-sale hold an order of 1 × product at the campaign price,
    /// due when the hold expires. Idempotent per `order_id`.
    public func startHoldOrder(
        request: Bigshop_Orchestrator_V1_StartHoldOrderRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        try Self.require(request.orderId, "order_id")
        try Self.require(request.userId, "user_id")
        try Self.require(request.productId, "product_id")
        guard request.priceCents > 0 else { throw RPCError(.invalidArgument, "price_cents must be positive") }
        guard request.paymentDueAtMs > 0 else { throw RPCError(.invalidArgument, "payment_due_at_ms must be set") }
        do {
            let order = try await coordinator.startHoldOrder(request)
            SagaMetrics.checkout(kind: "hold", outcome: "OK")
            return order
        } catch {
            SagaMetrics.checkout(kind: "hold", outcome: SagaMetrics.outcome(of: error))
            throw error
        }
    }

    /// Locks the order for payment attempt `payment_id` and answers the
    /// amount (always the order's) and its owner. ABORTED reason
    /// `PAYMENT_IN_PROGRESS` while another attempt runs; FAILED_PRECONDITION
    /// reason `NOT_PAYABLE` if the order is not PENDING_PAYMENT.
    public func beginPayment(
        request: Bigshop_Orchestrator_V1_BeginPaymentRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orchestrator_V1_BeginPaymentResponse {
        try Self.require(request.orderId, "order_id")
        try Self.require(request.paymentId, "payment_id")
        let coordinator = self.coordinator
        return try await coordinator.shielded {
            try await coordinator.beginPayment(orderID: request.orderId, paymentID: request.paymentId)
        }
    }

    /// Ends the attempt: approved (the payment already recorded APPROVED)
    /// confirms the order and commits its units; declined leaves it payable,
    /// or cancels it if its window closed meanwhile. Returns the order.
    public func completePayment(
        request: Bigshop_Orchestrator_V1_CompletePaymentRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        try Self.require(request.orderId, "order_id")
        try Self.require(request.paymentId, "payment_id")
        let coordinator = self.coordinator
        do {
            let order = try await coordinator.shielded {
                try await coordinator.completePayment(
                    orderID: request.orderId, paymentID: request.paymentId, approved: request.approved)
            }
            SagaMetrics.payment(request.approved ? "approved" : "declined")
            return order
        } catch {
            SagaMetrics.payment("refused")
            throw error
        }
    }

    /// Cancels an unpaid order with `reason` (default
    /// `CANCELLED_BY_CUSTOMER`) and returns its units. FAILED_PRECONDITION
    /// reason `NOT_CANCELLABLE` if it is paid or being paid.
    public func cancelCheckout(
        request: Bigshop_Orchestrator_V1_CancelCheckoutRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        try Self.require(request.orderId, "order_id")
        let reason = request.reason.isEmpty ? CheckoutSagaReason.cancelledByCustomer : request.reason
        let coordinator = self.coordinator
        return try await coordinator.shielded {
            try await coordinator.cancelCheckout(orderID: request.orderId, reason: reason)
        }
    }

    private static func require(_ value: String, _ field: String) throws(RPCError) {
        guard !value.isEmpty else { throw RPCError(.invalidArgument, "\(field) must not be empty") }
    }
}
