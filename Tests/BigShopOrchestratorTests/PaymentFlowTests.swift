import BigRPC
import BigShopCatalogAPI
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopTestSupport
import PaymentRules
import Testing

@testable import BigShopOrchestrator

@Suite("Payment flows through the saga")
struct PaymentFlowTests {
    @Test("declined cards leave the order payable; an approved one confirms it and commits the stock")
    func declinedThenApproved() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 2)])

            let declined = try await shop.payByCard("ana", order, number: TestCards.declined)
            #expect(declined.status == .declined)
            #expect(declined.declineReason == "card_declined")
            #expect(declined.cardLast4 == "0002")
            #expect(try await shop.order(order.id).status == .pendingPayment)
            let broke = try await shop.payByCard("ana", order, number: TestCards.insufficientFunds)
            #expect(broke.status == .declined)
            #expect(broke.declineReason == "insufficient_funds")
            #expect(try await shop.saga(of: order.id)?.state == .awaitingPayment)
            #expect(try await shop.stock(phone) == 8)

            let approved = try await shop.payByCard("ana", order)
            #expect(approved.status == .approved)
            #expect(approved.amountCents == 300_000)
            #expect(approved.cardBrand == "visa")
            #expect(approved.cardLast4 == "4242")
            #expect(try await shop.order(order.id).status == .confirmed)
            let reservation = try await shop.run.inventory.commitStock(.init(reservationId: order.id))
            #expect(reservation.state == .committed)
            #expect(try await shop.paymentsOf(order.id).map(\.status) == [.declined, .declined, .approved])
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("concurrent payments of one order: exactly one is approved")
    func concurrentPayments() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 1)])

            let outcomes = await withTaskGroup(of: Result<Bigshop_Payments_V1_Payment, any Error>.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        do {
                            return .success(try await shop.payByCard("ana", order))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let approved = outcomes.compactMap { try? $0.get() }.filter { $0.status == .approved }
            #expect(approved.count == 1)
            for case .failure(let error) in outcomes {
                let refusal = try #require(error as? RPCError)
                let reason = refusal.metadata[Metadata.reasonKey]
                #expect(reason == "PAYMENT_IN_PROGRESS" || reason == "NOT_PAYABLE", "\(refusal)")
            }
            #expect(try await shop.paymentsOf(order.id).filter { $0.status == .approved }.count == 1)
            #expect(try await shop.order(order.id).status == .confirmed)
            try await shop.expectInvariants(initialStock: [phone])
        }
    }

    @Test("a second BeginPayment while one runs is ABORTED PAYMENT_IN_PROGRESS; repeating the running one is not")
    func twoBeginPayments() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 1)])

            let first = try await shop.saga.beginPayment(.init(orderId: order.id, paymentId: "pay_1"))
            #expect(first.amountCents == 150_000)
            #expect(first.userId == "ana")
            await expectRPCError(.aborted, reason: "PAYMENT_IN_PROGRESS") {
                _ = try await shop.saga.beginPayment(.init(orderId: order.id, paymentId: "pay_2"))
            }
            #expect(try await shop.saga.beginPayment(.init(orderId: order.id, paymentId: "pay_1")) == first)
            await expectRPCError(.failedPrecondition, reason: "NOT_CANCELLABLE") {
                _ = try await shop.saga.cancelCheckout(.init(orderId: order.id, reason: "CANCELLED_BY_CUSTOMER"))
            }
            let back = try await shop.saga.completePayment(.init(orderId: order.id, paymentId: "pay_1", approved: false))
            #expect(back.status == .pendingPayment)
            // Repeating the end of an attempt changes nothing.
            _ = try await shop.saga.completePayment(.init(orderId: order.id, paymentId: "pay_1", approved: false))
            let second = try await shop.saga.beginPayment(.init(orderId: order.id, paymentId: "pay_2"))
            #expect(second.amountCents == 150_000)
            await expectRPCError(.notFound) {
                _ = try await shop.saga.beginPayment(.init(orderId: "ord_unknown", paymentId: "pay_3"))
            }
        }
    }

    @Test("Pix: a pending payment with a BR Code, confirmed by ConfirmPix; other pending Pix expire")
    func pixThenConfirm() async throws {
        try await ShopHarness.with { shop in
            let tv = try await shop.product("TV", priceCents: 48_000, stock: 3)
            let order = try await shop.buy("ana", [(tv, 1)])

            let pix = try await shop.payByPix("ana", order)
            let spare = try await shop.payByPix("ana", order)
            #expect(pix.status == .pending)
            #expect(pix.method == .pix)
            #expect(pix.amountCents == 48_000)
            let code = try PixBRCode.parse(pix.pixCopyPaste)
            #expect(code.amount == 48_000)
            #expect(code.txid == pix.pixTxid)
            #expect(pix.pixCopyPaste.contains("5406480.00"))
            #expect(try await shop.order(order.id).status == .pendingPayment)

            let confirmed = try await shop.confirmPix(pix)
            #expect(confirmed.status == .approved)
            #expect(try await shop.order(order.id).status == .confirmed)
            #expect(try await shop.confirmPix(pix) == confirmed)
            // The other Pix of the paid order can no longer be paid.
            let statuses = try await shop.paymentsOf(order.id).map { ($0.id, $0.status) }
            #expect(statuses.first { $0.0 == spare.id }?.1 == .expired)
            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.confirmPix(spare) }
            try await shop.expectInvariants(initialStock: [tv])
        }
    }

    @Test("an approval without an APPROVED payment never confirms the order")
    func approvalWithoutPayment() async throws {
        try await ShopHarness.with { shop in
            let phone = try await shop.product("Phone", priceCents: 150_000, stock: 10)
            let order = try await shop.buy("ana", [(phone, 2)])
            _ = try await shop.saga.beginPayment(.init(orderId: order.id, paymentId: "pay_forged"))

            await expectRPCError(.internal) {
                _ = try await shop.saga.completePayment(.init(orderId: order.id, paymentId: "pay_forged", approved: true))
            }
            #expect(try await shop.order(order.id).status == .pendingPayment)
            #expect(try await shop.saga(of: order.id)?.state == .confirming)
            let reservation = try await shop.run.inventory.reserveStock(
                .init(reservationId: order.id, lines: [.init(productId: phone.id, quantity: 2)]))
            #expect(reservation.state == .held)
            #expect(try await shop.stock(phone) == 8)
            #expect(!shop.logs.lines(containing: "error", "saga cannot proceed", order.id, "pay_forged").isEmpty)
        }
    }
}
