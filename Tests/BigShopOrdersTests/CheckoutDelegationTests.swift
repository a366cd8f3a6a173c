import BigRPC
import BigShopOrdersAPI
import BigShopTestSupport
import Testing

/// OrdersService's side of Checkout and CancelOrder, against a fake saga:
/// what it passes on, what it checks first, and that the saga's answers
/// pass through unchanged.
@Suite("Checkout and CancelOrder delegation")
struct CheckoutDelegationTests {
    static let alice = TestPrincipalInterceptor.customer("alice")

    @Test("Checkout hands the saga the caller and the idempotency key, and returns its order")
    func checkout() async throws {
        try await OrdersHarness.with { shop in
            let mug = try await shop.product("Mug", priceCents: 1_000)
            _ = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: 2), metadata: Self.alice)
            var metadata = Self.alice
            metadata["idempotency-key"] = "checkout-1"
            let order = try await shop.orders.checkout(.init(), metadata: metadata)
            #expect(order.userId == "alice")
            #expect(order.status == .pendingPayment)
            #expect(order.totalCents == 2_000)
            #expect(order.items == [.init(productId: mug.id, name: "Mug", quantity: 2, unitPriceCents: 1_000)])
            #expect(order.paymentDueAtMs == OrdersHarness.startMs + FakeCheckoutSaga.paymentWindowMs)
            #expect(try await shop.orders.getCart(.init(), metadata: Self.alice) == .init())

            #expect(try await shop.orders.checkout(.init(), metadata: metadata) == order)
            #expect(
                shop.saga.startRequests == [
                    .init(userId: "alice", idempotencyKey: "checkout-1"),
                    .init(userId: "alice", idempotencyKey: "checkout-1"),
                ])
            #expect(try await shop.orders.getOrder(.init(id: order.id), metadata: Self.alice) == order)
        }
    }

    @Test("The saga's refusals pass through with their reason; a bad idempotency key never reaches it")
    func refusals() async throws {
        try await OrdersHarness.with { shop in
            await expectRPCError(.failedPrecondition, reason: "EMPTY_CART") {
                _ = try await shop.orders.checkout(.init(), metadata: Self.alice)
            }
            #expect(shop.saga.startRequests == [.init(userId: "alice", idempotencyKey: "")])
            var metadata = Self.alice
            metadata["idempotency-key"] = "has spaces"
            await expectRPCError(.invalidArgument) { _ = try await shop.orders.checkout(.init(), metadata: metadata) }
            await expectRPCError(.unauthenticated) { _ = try await shop.orders.checkout(.init()) }
            #expect(shop.saga.startRequests.count == 1)
        }
    }

    @Test("CancelOrder asks the saga to cancel the owner's unpaid order with CANCELLED_BY_CUSTOMER")
    func cancel() async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "alice")
            let cancelled = try await shop.orders.cancelOrder(.init(id: order.id), metadata: Self.alice)
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.statusReason == "CANCELLED_BY_CUSTOMER")
            #expect(shop.saga.cancelRequests == [.init(orderId: order.id, reason: "CANCELLED_BY_CUSTOMER")])
        }
    }

    @Test(
        "CancelOrder refuses an order that is not PENDING_PAYMENT without calling the saga",
        arguments: [
            Bigshop_Orders_V1_OrderStatus.confirmed, .shipped, .delivered, .cancelled,
        ])
    func cancelTooLate(status: Bigshop_Orders_V1_OrderStatus) async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "alice")
            try await shop.move(order.id, to: status)
            await expectRPCError(.failedPrecondition, reason: "NOT_CANCELLABLE") {
                _ = try await shop.orders.cancelOrder(.init(id: order.id), metadata: Self.alice)
            }
            #expect(shop.saga.cancelRequests.isEmpty)
            #expect(try await shop.ledger.lookupOrder(.init(orderId: order.id)).status == status)
        }
    }
}
