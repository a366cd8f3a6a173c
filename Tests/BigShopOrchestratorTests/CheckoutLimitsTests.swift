import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopServiceKit
import BigShopStore
import BigShopTestSupport
import Foundation
import Testing

@testable import BigShopOrchestrator

/// The per-customer checkout limits (issue 11, finding 6): checked with the
/// saga's first write, refusing before anything is held.
@Suite("Checkout limits")
struct CheckoutLimitsTests {
    @Test("a refused checkout holds nothing and writes no saga")
    func refusalsHoldNothing() async throws {
        try await ShopHarness.with(limits: CheckoutLimits(maxUnitsPerProduct: 4, maxUnpaidOrders: 2)) { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 20)
            let first = try await shop.buy("ana", [(phone, 3)])
            try await shop.fillCart("ana", [(phone, 2)])
            await expectRPCError(.failedPrecondition, reason: "PRODUCT_LIMIT_REACHED") { _ = try await shop.checkout("ana") }
            #expect(try await shop.stock(phone) == 17)
            // Another customer is not limited by ana's orders.
            _ = try await shop.buy("bia", [(phone, 4)])

            try await shop.fillCart("ana", [(phone, 1)])
            _ = try await shop.checkout("ana")
            try await shop.fillCart("ana", [(phone, 1)])
            await expectRPCError(.failedPrecondition, reason: "TOO_MANY_UNPAID_ORDERS") { _ = try await shop.checkout("ana") }
            #expect(try await shop.stock(phone) == 12)

            // Paying frees the place: the paid units no longer count.
            _ = try await shop.payByCard("ana", first)
            _ = try await shop.checkout("ana")
            #expect(try await shop.stock(phone) == 11)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("a cancellation or an expiry starts the cool-down; a failed checkout does not")
    func coolDown() async throws {
        try await ShopHarness.with(limits: CheckoutLimits(cooldownAfterCancellation: .seconds(120))) { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 3)
            try await shop.fillCart("ana", [(phone, 4)])
            await expectRPCError(.failedPrecondition, reason: "OUT_OF_STOCK") { _ = try await shop.checkout("ana") }
            try await shop.fillCart("ana", [(phone, 1)])
            let order = try await shop.checkout("ana")
            _ = try await shop.orders.cancelOrder(
                Bigshop_Orders_V1_CancelOrderRequest(id: order.id), metadata: TestPrincipalInterceptor.customer("ana"))

            try await shop.fillCart("ana", [(phone, 1)])
            shop.clock.advance(byMs: 119_000)
            let error = await rpcError { _ = try await shop.checkout("ana") }
            #expect(error?.metadata[Metadata.reasonKey] == "CHECKOUT_COOLING_DOWN")
            #expect(error?.metadata[Metadata.retryAfterKey] == "1000")
            shop.clock.advance(byMs: 1_000)
            let again = try await shop.checkout("ana")

            // The expiry of an unpaid order counts as a cancellation.
            shop.clock.advance(byMs: ShopHarness.windowMs)
            try await shop.waitForStatus(again.id, .cancelled)
            try await shop.fillCart("ana", [(phone, 1)])
            await expectRPCError(.failedPrecondition, reason: "CHECKOUT_COOLING_DOWN") { _ = try await shop.checkout("ana") }
            // Another customer is not cooling down.
            _ = try await shop.buy("bia", [(phone, 1)])
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("hostile quantities and durations saturate instead of trapping")
    func hostileValues() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bigshop-limits-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try await ServiceDatabase.open(named: "orchestrator", in: TestStorage.forDirectory(directory), migrations: SagaSchema.migrations)
        let store = SagaStore(database: database)
        let nowMs: Int64 = 1_772_377_200_000
        func saga(_ id: String, state: SagaState, quantity: Int64, updatedAtMs: Int64 = nowMs) -> SagaRecord {
            SagaRecord(
                orderID: id, kind: .cart, userID: "eve", state: state, reason: "", paymentID: "",
                lines: [Bigshop_Orders_V1_OrderItem(productId: "prd_x", name: "X", quantity: quantity, unitPriceCents: .max)],
                amountCents: .max, paymentDueAtMs: .max, campaignID: "", createdAtMs: nowMs, updatedAtMs: updatedAtMs)
        }
        // Rows no checkout could make, but a damaged or hostile log could hold.
        #expect(try await store.insert(saga("ord_1", state: .awaitingPayment, quantity: .max), idempotencyKey: nil))
        #expect(try await store.insert(saga("ord_2", state: .paying, quantity: .max), idempotencyKey: nil))
        #expect(try await store.insert(saga("ord_3", state: .cancelled, quantity: 1, updatedAtMs: .max), idempotencyKey: nil))

        // Units held sum to beyond Int64: saturated, so still over the cap.
        let capped = CheckoutLimits(maxUnitsPerProduct: 1_000, maxUnpaidOrders: .max, cooldownAfterCancellation: .zero)
        await #expect(throws: CheckoutRefusal.productLimit(productID: "prd_x", name: "X", held: .max, asked: 1, limit: 1_000)) {
            _ = try await store.insertCheckout(
                saga("ord_4", state: .reserving, quantity: 1), idempotencyKey: nil, limits: capped, nowMs: nowMs)
        }
        let forever = CheckoutLimits(
            maxUnitsPerProduct: .max, maxUnpaidOrders: .max, cooldownAfterCancellation: .seconds(Int64.max))
        do {
            _ = try await store.insertCheckout(
                saga("ord_5", state: .reserving, quantity: 0), idempotencyKey: nil, limits: forever, nowMs: .min)
            Issue.record("a cool-down of Int64.max seconds let a checkout through")
        } catch let refusal as CheckoutRefusal {
            guard case .coolingDown(let retryAfterMs) = refusal else {
                Issue.record("\(refusal)")
                return
            }
            #expect(retryAfterMs > 0)
            #expect(refusal.rpcError.metadata[Metadata.retryAfterKey] == String(retryAfterMs))
        }
        #expect(SagaCoordinator.total(of: saga("x", state: .reserving, quantity: .max).lines) == nil)
        #expect(Duration.seconds(Int64.max).saturatingMilliseconds == .max)
        #expect(Duration.seconds(Int64.min).saturatingMilliseconds == .min)
        #expect(Int64.max.addingSaturated(1) == .max && Int64.min.addingSaturated(-1) == .min)
        await database.close()
    }
}
