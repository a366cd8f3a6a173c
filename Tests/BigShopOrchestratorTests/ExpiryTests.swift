import BigRPC
import BigShopCatalogAPI
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopTestSupport
import Testing

@testable import BigShopOrchestrator

@Suite("Payment window expiry")
struct ExpiryTests {
    @Test("an unpaid order is cancelled at its due time: stock back, pending Pix expired")
    func expiry() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 3)])
            let pix = try await shop.payByPix("ana", order)

            shop.clock.advance(byMs: ShopHarness.windowMs - 1)
            try await shop.run.orchestrator.coordinator.expireDuePayments()
            #expect(try await shop.order(order.id).status == .pendingPayment)

            shop.clock.advance(byMs: 1)
            let cancelled = try await shop.waitForStatus(order.id, .cancelled)
            #expect(cancelled.statusReason == "PAYMENT_EXPIRED")
            #expect(await eventually { try await shop.saga(of: order.id)?.state == .cancelled })
            #expect(try await shop.stock(phone) == 10)
            #expect(try await shop.paymentsOf(order.id).map(\.status) == [.expired])
            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.confirmPix(pix) }
            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.payByCard("ana", order) }
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("the scanner wakes for a due time earlier than the one it sleeps until")
    func scannerPicksUpEarlierDue() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let late = try await shop.buy("ana", [(phone, 1)])
            // Let the scanner go to sleep until the first order's due time.
            shop.clock.advance(byMs: 1)
            try await Task.sleep(for: .milliseconds(50))

            let early = try await shop.saga.startHoldOrder(
                .init(
                    orderId: "ord_flash_1", userId: "bia", productId: "prd_flash", productName: "Flash phone",
                    priceCents: 100, paymentDueAtMs: shop.clock.nowMs() + 60_000, campaignId: "cmp_1"))
            #expect(early.status == .pendingPayment)

            shop.clock.advance(byMs: 60_000)
            let expired = try await shop.waitForStatus(early.id, .cancelled)
            #expect(expired.statusReason == "PAYMENT_EXPIRED")
            #expect(await eventually { shop.holds.releases == [early.id] })
            #expect(try await shop.order(late.id).status == .pendingPayment)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("BeginPayment past the due time refuses NOT_PAYABLE and cancels the order")
    func paymentAfterDue() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 2)])
            #expect(try await shop.saga(of: order.id)?.paymentDueAtMs == order.paymentDueAtMs)

            shop.clock.advance(byMs: ShopHarness.windowMs)
            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") {
                _ = try await shop.saga.beginPayment(.init(orderId: order.id, paymentId: "pay_late"))
            }
            let cancelled = try await shop.waitForStatus(order.id, .cancelled)
            #expect(cancelled.statusReason == "PAYMENT_EXPIRED")
            #expect(await eventually { try await shop.stock(phone) == 10 })
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("a payment running at the due time is not expired under it: its approval confirms the order")
    func approvalRacingExpiry() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 2)])
            shop.faults.pause("CompletePayment")
            let payment = Task { try await shop.payByCard("ana", order) }
            #expect(await eventually { shop.faults.isPaused("CompletePayment") })

            shop.clock.advance(byMs: ShopHarness.windowMs + 1)
            try await shop.run.orchestrator.coordinator.expireDuePayments()
            #expect(try await shop.saga(of: order.id)?.state == .paying)
            #expect(try await shop.order(order.id).status == .pendingPayment)
            await expectRPCError(.failedPrecondition, reason: "NOT_CANCELLABLE") {
                _ = try await shop.saga.cancelCheckout(.init(orderId: order.id, reason: "CANCELLED_BY_CUSTOMER"))
            }

            shop.faults.release("CompletePayment")
            #expect(try await payment.value.status == .approved)
            #expect(try await shop.order(order.id).status == .confirmed)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("a payment declined after the due time cancels the order with PAYMENT_EXPIRED")
    func declineRacingExpiry() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 2)])
            shop.faults.pause("CompletePayment")
            let payment = Task { try await shop.payByCard("ana", order, number: TestCards.declined) }
            #expect(await eventually { shop.faults.isPaused("CompletePayment") })

            shop.clock.advance(byMs: ShopHarness.windowMs + 1)
            try await shop.run.orchestrator.coordinator.expireDuePayments()
            #expect(try await shop.order(order.id).status == .pendingPayment)

            shop.faults.release("CompletePayment")
            let declined = try await payment.value
            #expect(declined.status == .declined)
            let cancelled = try await shop.order(order.id)
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.statusReason == "PAYMENT_EXPIRED")
            #expect(try await shop.stock(phone) == 10)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }
}
