import BigRPC
import BigShopCatalogAPI
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopStore
import BigShopTestSupport
import Testing

@testable import BigShopOrchestrator
@testable import BigShopPayments

/// The process dies in each state of the saga (a call hangs, then the shop
/// is restarted over the same files); recovery must end each saga in the
/// right state with the invariants whole.
@Suite("Recovery after a crash")
struct RecoveryTests {
    @Test("reserving: the stock a dead checkout reserved returns, and it fails")
    func reserving() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            try await shop.fillCart("ana", [(phone, 4)])
            shop.faults.hang("ReserveStock", afterCall: true)
            let checkout = Task { try await shop.checkout("ana") }
            #expect(await eventually { shop.faults.isHanging("ReserveStock") })
            #expect(try await shop.stock(phone) == 6)

            try await shop.restart()
            #expect(try await shop.stock(phone) == 10)
            #expect(try await shop.run.ledger.listOrdersOf(.init(userId: "ana")).orders.isEmpty)
            let cart = try await shop.orders.getCart(.init(), metadata: TestPrincipalInterceptor.customer("ana"))
            #expect(cart.items.count == 1)
            #expect((try? await checkout.value) == nil)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("creating, order not made: recovery makes it (roll forward), and it can be paid")
    func creatingWithoutOrder() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            try await shop.fillCart("ana", [(phone, 4)])
            shop.faults.hang("CreateOrder")
            let checkout = Task { try await shop.checkout("ana") }
            #expect(await eventually { shop.faults.isHanging("CreateOrder") })

            // Releasing the units could race a CreateOrder still on its way from the
            // process that died; creating the order (idempotent) cannot.
            try await shop.restart()
            let orders = try await shop.run.ledger.listOrdersOf(.init(userId: "ana")).orders
            let order = try #require(orders.first)
            #expect(orders.count == 1 && order.status == .pendingPayment && order.totalCents == 600_000)
            #expect(try await shop.saga(of: order.id)?.state == .awaitingPayment)
            #expect(try await shop.stock(phone) == 6)
            #expect((try? await checkout.value) == nil)
            #expect(try await shop.payByCard("ana", order).status == .approved)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("creating, order made: the saga goes on to await payment, and the order can be paid")
    func creatingWithOrder() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            try await shop.fillCart("ana", [(phone, 4)])
            shop.faults.hang("CreateOrder", afterCall: true)
            let checkout = Task { try await shop.checkout("ana") }
            #expect(await eventually { shop.faults.isHanging("CreateOrder") })

            try await shop.restart()
            let orders = try await shop.run.ledger.listOrdersOf(.init(userId: "ana")).orders
            let order = try #require(orders.first)
            #expect(orders.count == 1)
            #expect(order.status == .pendingPayment)
            #expect(try await shop.saga(of: order.id)?.state == .awaitingPayment)
            #expect(try await shop.stock(phone) == 6)
            #expect((try? await checkout.value) == nil)

            #expect(try await shop.payByCard("ana", order).status == .approved)
            #expect(try await shop.order(order.id).status == .confirmed)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("paying, payment approved: the order is confirmed")
    func payingApproved() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 2)])
            shop.faults.hang("CompletePayment")
            let payment = Task { try await shop.payByCard("ana", order) }
            #expect(await eventually { shop.faults.isHanging("CompletePayment") })
            #expect(try await shop.paymentsOf(order.id).map(\.status) == [.approved])
            #expect(try await shop.saga(of: order.id)?.state == .paying)

            try await shop.restart()
            #expect(try await shop.order(order.id).status == .confirmed)
            #expect(try await shop.saga(of: order.id)?.state == .confirmed)
            #expect(try await shop.run.inventory.commitStock(.init(reservationId: order.id)).state == .committed)
            #expect((try? await payment.value) == nil)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("paying, card payment still pending: it is declined as interrupted and the order stays payable")
    func payingPending() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 2)])
            _ = try await shop.saga.beginPayment(.init(orderId: order.id, paymentId: "pay_cut"))
            try await insertPayment(
                in: shop.directory,
                Bigshop_Payments_V1_Payment(
                    id: "pay_cut", orderId: order.id, method: .card, status: .pending, amountCents: order.totalCents,
                    cardLast4: "4242", cardBrand: "visa", createdAtMs: shop.clock.nowMs()),
                of: "ana")

            try await shop.restart()
            let payments = try await shop.paymentsOf(order.id)
            #expect(payments.map(\.status) == [.declined])
            #expect(payments.first?.declineReason == "interrupted")
            #expect(try await shop.saga(of: order.id)?.state == .awaitingPayment)
            #expect(try await shop.order(order.id).status == .pendingPayment)

            #expect(try await shop.payByCard("ana", order).status == .approved)
            #expect(try await shop.order(order.id).status == .confirmed)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("paying, past the due time, nothing approved: back to awaiting payment, then expired")
    func payingPastDue() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 2)])
            _ = try await shop.saga.beginPayment(.init(orderId: order.id, paymentId: "pay_cut"))
            shop.clock.advance(byMs: ShopHarness.windowMs + 1)
            try await shop.run.orchestrator.coordinator.expireDuePayments()
            #expect(try await shop.saga(of: order.id)?.state == .paying)

            try await shop.restart()
            let cancelled = try await shop.waitForStatus(order.id, .cancelled)
            #expect(cancelled.statusReason == "PAYMENT_EXPIRED")
            #expect(await eventually { try await shop.stock(phone) == 10 })
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("confirming: the stock is committed and the order confirmed")
    func confirming() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 2)])
            shop.faults.hang("ConfirmOrder")
            let payment = Task { try await shop.payByCard("ana", order) }
            #expect(await eventually { shop.faults.isHanging("ConfirmOrder") })
            #expect(try await shop.saga(of: order.id)?.state == .confirming)
            #expect(try await shop.order(order.id).status == .pendingPayment)

            try await shop.restart()
            #expect(try await shop.order(order.id).status == .confirmed)
            #expect(try await shop.saga(of: order.id)?.state == .confirmed)
            #expect(try await shop.paymentsOf(order.id).map(\.status) == [.approved])
            _ = try? await payment.value
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("cancelling: the order is cancelled with its reason and the stock returns")
    func cancelling() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 2)])
            shop.faults.hang("ReleaseStock")
            let cancel = Task {
                try await shop.orders.cancelOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.customer("ana"))
            }
            #expect(await eventually { shop.faults.isHanging("ReleaseStock") })
            #expect(try await shop.order(order.id).status == .cancelled)
            #expect(try await shop.stock(phone) == 8)

            try await shop.restart()
            #expect(try await shop.saga(of: order.id)?.state == .cancelled)
            #expect(try await shop.order(order.id).statusReason == "CANCELLED_BY_CUSTOMER")
            #expect(try await shop.stock(phone) == 10)
            _ = try? await cancel.value
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("a flash-sale hold whose order was not made gets it at recovery, and repeating it returns it")
    func holdCreating() async throws {
        try await ShopHarness.with { shop in
            shop.faults.hang("CreateOrder")
            let request = Bigshop_Orchestrator_V1_StartHoldOrderRequest(
                orderId: "ord_flash_1", userId: "ana", productId: "prd_flash", productName: "Flash phone",
                priceCents: 100, paymentDueAtMs: shop.clock.nowMs() + 600_000, campaignId: "cmp_1")
            let hold = Task { try await shop.saga.startHoldOrder(request) }
            #expect(await eventually { shop.faults.isHanging("CreateOrder") })

            // The customer was told of the hold: recovery rolls forward to its order.
            try await shop.restart()
            #expect(shop.holds.releases.isEmpty)
            #expect(try await shop.saga(of: "ord_flash_1")?.state == .awaitingPayment)
            #expect(try await shop.order("ord_flash_1").status == .pendingPayment)
            #expect((try? await hold.value) == nil)
            #expect(try await shop.saga.startHoldOrder(request).id == "ord_flash_1")
        }
    }

    @Test("a restart with nothing in flight changes nothing")
    func quietRestart() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let unpaid = try await shop.buy("ana", [(phone, 1)])
            let paid = try await shop.buy("bia", [(phone, 2)])
            _ = try await shop.payByCard("bia", paid)

            try await shop.restart()
            #expect(try await shop.order(unpaid.id).status == .pendingPayment)
            #expect(try await shop.order(paid.id).status == .confirmed)
            #expect(try await shop.stock(phone) == 7)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    /// Writes a payment row straight into `payments.sqlite`, as a payment
    /// attempt cut short after recording it would have left it.
    private func insertPayment(
        in directory: String,
        _ payment: Bigshop_Payments_V1_Payment,
        of userID: String
    ) async throws {
        let database = try await Database(location: TestStorage.forDirectory(directory).location(forService: "payments"))
        _ = try await PaymentStore(database: database).insert(
            StoredPayment(payment: payment, userID: userID), idempotencyKey: nil)
        await database.close()
    }
}
