import BigRPC
import BigShopPaymentsAPI
import BigShopStore
import BigShopTestSupport
import Testing

@testable import BigShopPayments

@Suite("PaymentLedger")
struct PaymentLedgerTests {
    @Test("ListPaymentsOf: oldest first; AbortInterruptedPayments declines pending cards only; CloseOrderPayments expires the rest")
    func ledger() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            let declined = try await shop.payByCard("ana", order.id, TestCards.card(TestCards.declined))
            shop.clock.advance(byMs: 1)
            let pix = try await shop.payByPix("ana", order.id)
            shop.clock.advance(byMs: 1)
            try await insert(
                in: shop.directory,
                Bigshop_Payments_V1_Payment(
                    id: "pay_cut", orderId: order.id, method: .card, status: .pending, amountCents: order.totalCents,
                    cardLast4: "4242", cardBrand: "visa", createdAtMs: shop.clock.nowMs()))
            #expect(try await shop.paymentsOf(order.id).map(\.id) == [declined.id, pix.id, "pay_cut"])

            for _ in 0..<2 {
                _ = try await shop.paymentLedger.abortInterruptedPayments(.init(orderId: order.id))
            }
            var payments = try await shop.paymentsOf(order.id)
            #expect(payments.map(\.status) == [.declined, .pending, .declined])
            #expect(payments.last?.declineReason == "interrupted")
            #expect(payments.first?.declineReason == "card_declined")

            for _ in 0..<2 {
                _ = try await shop.paymentLedger.closeOrderPayments(.init(orderId: order.id))
            }
            payments = try await shop.paymentsOf(order.id)
            #expect(payments.map(\.status) == [.declined, .expired, .declined])
            #expect(try await shop.paymentsOf("ord_other").isEmpty)
            await expectRPCError(.invalidArgument) { _ = try await shop.paymentLedger.closeOrderPayments(.init()) }
        }
    }

    @Test("the database refuses a second approved payment of one order")
    func oneApprovedPerOrder() async throws {
        try await PaymentsHarness.with { shop in
            let approved = Bigshop_Payments_V1_Payment(
                id: "pay_1", orderId: "ord_1", method: .card, status: .approved, amountCents: 100, createdAtMs: 1)
            try await insert(in: shop.directory, approved)
            var second = approved
            second.id = "pay_2"
            do {
                try await insert(in: shop.directory, second)
                Issue.record("a second approved payment was stored")
            } catch {
                #expect(error.isUniqueViolation)
            }
            second.status = .declined
            try await insert(in: shop.directory, second)
        }
    }

    private func insert(in directory: String, _ payment: Bigshop_Payments_V1_Payment) async throws {
        let database = try await Database(location: TestStorage.forDirectory(directory).location(forService: "payments"))
        do {
            _ = try await PaymentStore(database: database).insert(
                StoredPayment(payment: payment, userID: "ana"), idempotencyKey: nil)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
