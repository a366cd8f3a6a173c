import BigRPC
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopTestSupport
import Testing

@testable import BigShopOrchestrator

@Suite("Flash-sale hold orders")
struct HoldOrderTests {
    private static func hold(_ orderID: String, user: String = "ana", dueAtMs: Int64) -> Bigshop_Orchestrator_V1_StartHoldOrderRequest {
        Bigshop_Orchestrator_V1_StartHoldOrderRequest(
            orderId: orderID, userId: user, productId: "prd_flash", productName: "Flash phone", priceCents: 100,
            paymentDueAtMs: dueAtMs, campaignId: "cmp_1")
    }

    @Test("a hold becomes an order of 1 unit at the campaign price; paying it commits the hold")
    func paidHold() async throws {
        try await ShopHarness.with { shop in
            let due = shop.clock.nowMs() + 600_000
            let order = try await shop.saga.startHoldOrder(Self.hold("ord_flash_1", dueAtMs: due))
            #expect(order.id == "ord_flash_1")
            #expect(order.status == .pendingPayment)
            #expect(order.paymentDueAtMs == due)
            #expect(order.totalCents == 100)
            #expect(order.items.map(\.quantity) == [1])
            #expect(try await shop.saga.startHoldOrder(Self.hold("ord_flash_1", dueAtMs: due)) == order)
            #expect(try await shop.saga(of: order.id)?.kind == .hold)

            #expect(try await shop.payByCard("ana", order).status == .approved)
            #expect(try await shop.order(order.id).status == .confirmed)
            #expect(shop.holds.commits == [order.id])
            #expect(shop.holds.releases.isEmpty)
        }
    }

    @Test("a cancelled or expired hold order releases its hold")
    func releasedHolds() async throws {
        try await ShopHarness.with { shop in
            let cancelled = try await shop.saga.startHoldOrder(Self.hold("ord_flash_1", dueAtMs: shop.clock.nowMs() + 600_000))
            let expiring = try await shop.saga.startHoldOrder(Self.hold("ord_flash_2", dueAtMs: shop.clock.nowMs() + 60_000))

            _ = try await shop.orders.cancelOrder(.init(id: cancelled.id), metadata: TestPrincipalInterceptor.customer("ana"))
            #expect(shop.holds.releases == [cancelled.id])
            shop.clock.advance(byMs: 60_000)
            try await shop.waitForStatus(expiring.id, .cancelled)
            #expect(await eventually { shop.holds.releases == [cancelled.id, expiring.id] })
            #expect(shop.holds.commits.isEmpty)
        }
    }

    @Test("bad hold requests are INVALID_ARGUMENT; another user's order id is ALREADY_EXISTS")
    func refusals() async throws {
        try await ShopHarness.with { shop in
            let due = shop.clock.nowMs() + 600_000
            var noPrice = Self.hold("ord_flash_1", dueAtMs: due)
            noPrice.priceCents = 0
            await expectRPCError(.invalidArgument) { _ = try await shop.saga.startHoldOrder(noPrice) }
            await expectRPCError(.invalidArgument) { _ = try await shop.saga.startHoldOrder(Self.hold("", dueAtMs: due)) }
            await expectRPCError(.invalidArgument) { _ = try await shop.saga.startHoldOrder(Self.hold("ord_flash_1", dueAtMs: 0)) }

            _ = try await shop.saga.startHoldOrder(Self.hold("ord_flash_1", dueAtMs: due))
            await expectRPCError(.alreadyExists) {
                _ = try await shop.saga.startHoldOrder(Self.hold("ord_flash_1", user: "bia", dueAtMs: due))
            }
        }
    }
}
