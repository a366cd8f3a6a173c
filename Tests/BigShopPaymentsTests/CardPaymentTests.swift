import BigRPC
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopTestSupport
import Testing

@Suite("Card payments")
struct CardPaymentTests {
    @Test(
        "each invalid card field is INVALID_ARGUMENT naming it, and nothing is charged",
        arguments: [
            ("number", TestCards.card("4242424242424241")),
            ("number", TestCards.card("4242")),
            ("exp_year", Bigshop_Payments_V1_CardMethod(number: TestCards.approved, holder: "Ana", expMonth: 12, expYear: 2025, cvv: "123")),
            ("exp_month", Bigshop_Payments_V1_CardMethod(number: TestCards.approved, holder: "Ana", expMonth: 2, expYear: 2026, cvv: "123")),
            ("exp_month", Bigshop_Payments_V1_CardMethod(number: TestCards.approved, holder: "Ana", expMonth: 13, expYear: 2030, cvv: "123")),
            ("cvv", TestCards.card(TestCards.approved, cvv: "12")),
            ("cvv", TestCards.card(TestCards.approved, cvv: "12a")),
            ("holder", Bigshop_Payments_V1_CardMethod(number: TestCards.approved, holder: " ", expMonth: 12, expYear: 2031, cvv: "123")),
            (
                "installments",
                Bigshop_Payments_V1_CardMethod(
                    number: TestCards.approved, holder: "Ana", expMonth: 12, expYear: 2031, cvv: "123", installments: 13)
            ),
        ])
    func invalidCard(field: String, card: Bigshop_Payments_V1_CardMethod) async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            let error = await rpcError { _ = try await shop.payByCard("ana", order.id, card) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("card.\(field)") == true, "\(String(describing: error))")
            #expect(try await shop.paymentsOf(order.id).isEmpty)
            #expect(try await shop.status(of: order.id) == .pendingPayment)
        }
    }

    @Test("a request without a method or an order is INVALID_ARGUMENT")
    func missingFields() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            let noMethod = await rpcError { _ = try await shop.pay("ana", order.id, nil) }
            #expect(noMethod?.code == .invalidArgument)
            #expect(noMethod?.message.contains("method") == true)
            await expectRPCError(.invalidArgument) { _ = try await shop.payByCard("ana", "") }
        }
    }

    @Test("a decline answers OK with DECLINED and its reason; the order stays payable; the amount is the order's")
    func declineThenApprove() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana", priceCents: 12_345, quantity: 2)
            let declined = try await shop.payByCard("ana", order.id, TestCards.card(TestCards.declined))
            #expect(declined.status == .declined)
            #expect(declined.declineReason == "card_declined")
            #expect(declined.method == .card)
            #expect(declined.amountCents == 24_690)
            #expect(declined.cardLast4 == "0002")
            #expect(declined.cardBrand == "visa")
            #expect(declined.createdAtMs == PaymentsHarness.startMs)
            #expect(try await shop.status(of: order.id) == .pendingPayment)

            let approved = try await shop.payByCard("ana", order.id)
            #expect(approved.status == .approved)
            #expect(approved.amountCents == 24_690)
            #expect(approved.declineReason.isEmpty)
            #expect(try await shop.status(of: order.id) == .confirmed)
            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.payByCard("ana", order.id) }
        }
    }

    @Test("a retry with the same idempotency key returns the same payment and charges nothing more")
    func idempotentRetry() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            let first = try await shop.payByCard("ana", order.id, TestCards.card(TestCards.insufficientFunds), idempotencyKey: "k1")
            let again = try await shop.payByCard("ana", order.id, TestCards.card(TestCards.approved), idempotencyKey: "k1")
            #expect(again == first)
            #expect(again.status == .declined)
            #expect(try await shop.paymentsOf(order.id).count == 1)

            let paid = try await shop.payByCard("ana", order.id, idempotencyKey: "k2")
            #expect(paid.status == .approved)
            #expect(try await shop.payByCard("ana", order.id, idempotencyKey: "k2") == paid)

            let other = try await shop.order(for: "ana")
            await expectRPCError(.invalidArgument) { _ = try await shop.payByCard("ana", other.id, idempotencyKey: "k2") }
        }
    }
}
