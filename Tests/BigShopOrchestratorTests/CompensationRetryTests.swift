import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopTestSupport
import Testing

@testable import BigShopOrchestrator

/// Services that fail for a while: forward steps give up and compensate,
/// compensation steps retry until done.
@Suite("Steps that fail")
struct CompensationRetryTests {
    @Test("UNAVAILABLE and INTERNAL in the middle of a compensation are retried until it completes")
    func compensationRetries() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 3)])
            shop.faults.fail("AbandonOrder", times: 3, with: .unavailable)
            shop.faults.fail("ReleaseStock", times: 2, with: .internal)

            shop.clock.advance(byMs: ShopHarness.windowMs)
            let cancelled = try await shop.waitForStatus(order.id, .cancelled)
            #expect(cancelled.statusReason == "PAYMENT_EXPIRED")
            #expect(await eventually { try await shop.stock(phone) == 10 })
            #expect(shop.faults.failures(of: "AbandonOrder") == 3)
            #expect(shop.faults.failures(of: "ReleaseStock") == 2)
            #expect(shop.logs.lines(containing: "retrying", order.id, "step=AbandonOrder").count == 3)
            #expect(await eventually { shop.logs.lines(containing: "saga cancelling -> cancelled", order.id).count == 1 })
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("a reservation that keeps failing gives up: UNAVAILABLE, nothing held, the key free again")
    func reservationGivesUp() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            try await shop.fillCart("ana", [(phone, 2)])
            shop.faults.fail("ReserveStock", times: 3)
            await expectRPCError(.unavailable) { _ = try await shop.checkout("ana", idempotencyKey: "key-1") }
            #expect(try await shop.stock(phone) == 10)

            let order = try await shop.checkout("ana", idempotencyKey: "key-1")
            #expect(order.status == .pendingPayment)
            #expect(try await shop.stock(phone) == 8)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("a reservation that fails a few times then answers goes through")
    func reservationRetries() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            try await shop.fillCart("ana", [(phone, 2)])
            shop.faults.fail("ReserveStock", times: 2)
            let order = try await shop.checkout("ana")
            #expect(order.status == .pendingPayment)
            #expect(try await shop.stock(phone) == 8)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("an order that cannot be created: the stock is released and the cart kept")
    func creationGivesUp() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            try await shop.fillCart("ana", [(phone, 2)])
            shop.faults.fail("CreateOrder", times: 3)
            await expectRPCError(.unavailable) { _ = try await shop.checkout("ana") }
            #expect(try await shop.stock(phone) == 10)
            let cart = try await shop.orders.getCart(.init(), metadata: TestPrincipalInterceptor.customer("ana"))
            #expect(cart.items.count == 1)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }
}
