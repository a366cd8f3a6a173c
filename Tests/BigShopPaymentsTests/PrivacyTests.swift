import BigRPC
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopTestSupport
import Testing

@Suite("Privacy")
struct PrivacyTests {
    @Test("another customer's order and payment are NOT_FOUND; the owner and admins see the payment")
    func anotherCustomer() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            let payment = try await shop.payByPix("ana", order.id)

            await expectRPCError(.notFound) { _ = try await shop.payByCard("bia", order.id) }
            await expectRPCError(.notFound) { _ = try await shop.payByPix("bia", order.id) }
            await expectRPCError(.notFound) {
                _ = try await shop.payments.getPayment(.init(id: payment.id), metadata: TestPrincipalInterceptor.customer("bia"))
            }
            await expectRPCError(.notFound) {
                _ = try await shop.orders.getOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.customer("bia"))
            }
            // An admin paying someone else's order is refused the same way.
            await expectRPCError(.notFound) {
                _ = try await shop.payments.pay(
                    .init(orderId: order.id, method: .pix(.init())), metadata: TestPrincipalInterceptor.admin())
            }
            #expect(try await shop.payments.getPayment(.init(id: payment.id), metadata: TestPrincipalInterceptor.customer("ana")) == payment)
            #expect(try await shop.payments.getPayment(.init(id: payment.id), metadata: TestPrincipalInterceptor.admin()) == payment)
            #expect(try await shop.paymentsOf(order.id).count == 1)
        }
    }

    @Test("unknown orders and payments are NOT_FOUND; a call without a principal is UNAUTHENTICATED")
    func unknownAndAnonymous() async throws {
        try await PaymentsHarness.with { shop in
            await expectRPCError(.notFound) { _ = try await shop.payByPix("ana", "ord_missing") }
            await expectRPCError(.notFound) {
                _ = try await shop.payments.getPayment(.init(id: "pay_missing"), metadata: TestPrincipalInterceptor.customer("ana"))
            }
            await expectRPCError(.unauthenticated) { _ = try await shop.payments.getPayment(.init(id: "pay_missing")) }
            await expectRPCError(.unauthenticated) { _ = try await shop.payments.pay(.init(orderId: "ord_missing")) }
        }
    }

    @Test("a cancelled order is NOT_PAYABLE")
    func cancelledOrder() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            _ = try await shop.orders.cancelOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.customer("ana"))
            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.payByCard("ana", order.id) }
            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.payByPix("ana", order.id) }
            #expect(try await shop.paymentsOf(order.id).isEmpty)
        }
    }
}
