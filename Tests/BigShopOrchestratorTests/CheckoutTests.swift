import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopTestSupport
import Testing

@testable import BigShopOrchestrator

@Suite("Checkout")
struct CheckoutTests {
    @Test("checkout holds the stock and freezes the prices; paying commits them")
    func happyPath() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let cable = try await shop.product("Cable", priceCents: 2_500, stock: 5)

            let order = try await shop.buy("ana", [(phone, 2), (cable, 3)])
            #expect(order.status == .pendingPayment)
            #expect(order.userId == "ana")
            #expect(order.totalCents == 2 * 150_000 + 3 * 2_500)
            #expect(order.paymentDueAtMs == ShopHarness.startMs + ShopHarness.windowMs)
            #expect(Set(order.items.map(\.productId)) == [phone.id, cable.id])
            #expect(try await shop.stock(phone) == 8)
            #expect(try await shop.stock(cable) == 2)
            let cart = try await shop.orders.getCart(
                Bigshop_Orders_V1_GetCartRequest(), metadata: TestPrincipalInterceptor.customer("ana"))
            #expect(cart.items.isEmpty)

            // A later price change leaves the order as it was.
            _ = try await shop.catalog.updateProduct(
                Bigshop_Catalog_V1_UpdateProductRequest(
                    product: Bigshop_Catalog_V1_Product(id: phone.id, priceCents: 99_900)),
                metadata: TestPrincipalInterceptor.admin())
            let again = try await shop.order(order.id)
            #expect(again.items.first { $0.productId == phone.id }?.unitPriceCents == 150_000)
            #expect(again.totalCents == order.totalCents)

            let payment = try await shop.payByCard("ana", order)
            #expect(payment.status == .approved)
            #expect(payment.amountCents == order.totalCents)
            #expect(try await shop.order(order.id).status == .confirmed)
            let reservation = try await shop.run.inventory.commitStock(
                Bigshop_Catalog_V1_CommitStockRequest(reservationId: order.id))
            #expect(reservation.state == .committed)
            #expect(try await shop.saga(of: order.id)?.state == .confirmed)
            try await shop.expectInvariants(initialStock: [phone, cable])
        }
    }

    @Test("a product short of stock fails the checkout and takes nothing")
    func outOfStock() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let rare = try await shop.product("Rare", priceCents: 9_000, stock: 1)
            try await shop.fillCart("ana", [(phone, 2), (rare, 2)])

            await expectRPCError(.failedPrecondition, reason: "OUT_OF_STOCK") { _ = try await shop.checkout("ana") }

            #expect(try await shop.stock(phone) == 10)
            #expect(try await shop.stock(rare) == 1)
            let cart = try await shop.orders.getCart(
                Bigshop_Orders_V1_GetCartRequest(), metadata: TestPrincipalInterceptor.customer("ana"))
            #expect(cart.items.count == 2)
            let orders = try await shop.run.ledger.listOrdersOf(Bigshop_Orders_V1_ListOrdersOfRequest(userId: "ana"))
            #expect(orders.orders.isEmpty)
            try await shop.expectInvariants(initialStock: [phone, rare])
        }
    }

    @Test("an empty cart is refused with EMPTY_CART")
    func emptyCart() async throws {
        try await ShopHarness.with { shop in
            await expectRPCError(.failedPrecondition, reason: "EMPTY_CART") { _ = try await shop.checkout("ana") }
        }
    }

    @Test("a retried checkout with the same idempotency key returns the same order, even concurrently")
    func idempotentRetry() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            try await shop.fillCart("ana", [(phone, 3)])

            async let first = shop.checkout("ana", idempotencyKey: "key-1")
            async let second = shop.checkout("ana", idempotencyKey: "key-1")
            let (a, b) = try await (first, second)
            let c = try await shop.checkout("ana", idempotencyKey: "key-1")
            #expect(a.id == b.id)
            #expect(a.id == c.id)
            #expect(try await shop.stock(phone) == 7)

            // Another user's same key is another checkout.
            try await shop.fillCart("bia", [(phone, 1)])
            let other = try await shop.checkout("bia", idempotencyKey: "key-1")
            #expect(other.id != a.id)
            // A new key on an emptied cart is a new (refused) checkout.
            await expectRPCError(.failedPrecondition, reason: "EMPTY_CART") {
                _ = try await shop.checkout("ana", idempotencyKey: "key-2")
            }
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("every saga step carries an idempotency key naming the step and the order")
    func sagaStepsCarryIdempotencyKeys() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            try await shop.fillCart("ana", [(phone, 1)])
            let order = try await shop.checkout("ana")
            _ = try await shop.payByCard("ana", order)
            let faults = shop.run.faults
            for step in ["ReserveStock", "CreateOrder", "CommitStock", "ConfirmOrder"] {
                #expect(faults.idempotencyKeys(of: step).contains("saga-\(step)-\(order.id)"), "\(step)")
            }
            // The user-facing checkout keeps no key it was not given.
            #expect(faults.idempotencyKeys(of: "StartCheckout").allSatisfy { !$0.hasPrefix("saga-") })
        }
    }

    @Test("a failed checkout frees its idempotency key")
    func failedCheckoutFreesKey() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 1)
            try await shop.fillCart("ana", [(phone, 2)])
            await expectRPCError(.failedPrecondition, reason: "OUT_OF_STOCK") {
                _ = try await shop.checkout("ana", idempotencyKey: "key-1")
            }
            try await shop.fillCart("ana", [(phone, 1)])
            let order = try await shop.checkout("ana", idempotencyKey: "key-1")
            #expect(order.totalCents == 150_000)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("the customer cancels an unpaid order: its stock returns and it can no longer be paid")
    func customerCancel() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 4)])
            let pix = try await shop.payByPix("ana", order)

            let cancelled = try await shop.orders.cancelOrder(
                Bigshop_Orders_V1_CancelOrderRequest(id: order.id), metadata: TestPrincipalInterceptor.customer("ana"))
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.statusReason == "CANCELLED_BY_CUSTOMER")
            #expect(try await shop.stock(phone) == 10)
            #expect(try await shop.paymentsOf(order.id).map(\.status) == [.expired])
            #expect(pix.status == .pending)

            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.payByCard("ana", order) }
            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.confirmPix(pix) }
            // Repeating the saga's cancel is a no-op.
            let repeated = try await shop.saga.cancelCheckout(.init(orderId: order.id, reason: "CANCELLED_BY_CUSTOMER"))
            #expect(repeated.status == .cancelled)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("a paid order cannot be cancelled")
    func paidOrderIsNotCancellable() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 1)])
            _ = try await shop.payByCard("ana", order)
            await expectRPCError(.failedPrecondition, reason: "NOT_CANCELLABLE") {
                _ = try await shop.saga.cancelCheckout(.init(orderId: order.id, reason: "CANCELLED_BY_CUSTOMER"))
            }
            #expect(try await shop.order(order.id).status == .confirmed)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }
}
