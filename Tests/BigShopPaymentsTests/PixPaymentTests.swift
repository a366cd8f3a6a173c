import BigRPC
import BigShopOrdersAPI
import BigShopPayments
import BigShopPaymentsAPI
import BigShopTestSupport
import PaymentRules
import Testing

@Suite("Pix payments")
struct PixPaymentTests {
    @Test("Pay(pix) answers PENDING with a txid and a valid BR Code for the order's amount")
    func brCode() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana", priceCents: 24_000, quantity: 2)
            let pix = try await shop.payByPix("ana", order.id)
            #expect(pix.status == .pending)
            #expect(pix.method == .pix)
            #expect(pix.amountCents == 48_000)
            #expect((1...25).contains(pix.pixTxid.count))
            #expect(pix.pixTxid.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })

            let code = try PixBRCode.parse(pix.pixCopyPaste)
            #expect(code.fields.first?.id == "00")
            #expect(code.fields.last?.id == "63")
            #expect(code.account == .key(shop.settings.pixKey, additionalInfo: nil))
            #expect(code.transactionCurrency == "986")
            #expect(code.countryCode == "BR")
            #expect(code.amount == 48_000)
            #expect(code.fields.first { $0.id == "54" }?.value == "480.00")
            #expect(code.merchantName == "BIGSHOP")
            #expect(code.merchantCity == "SAO PAULO")
            #expect(code.referenceLabel == pix.pixTxid)
            let withoutCRC = String(pix.pixCopyPaste.dropLast(4))
            #expect(withoutCRC.hasSuffix("6304"))
            #expect(CRC16.hexString(CRC16.checksum(withoutCRC)) == code.crc)
            #expect(try await shop.status(of: order.id) == .pendingPayment)
        }
    }

    @Test("the merchant settings are normalized as Pix wants them")
    func merchantSettings() async throws {
        let settings = PaymentsSettings(pixKey: "+5561912345678", merchantName: "Loja Ótima do Zé", merchantCity: "Belém")
        try await PaymentsHarness.with(settings: settings) { shop in
            let order = try await shop.order(for: "ana", priceCents: 5)
            let code = try PixBRCode.parse(try await shop.payByPix("ana", order.id).pixCopyPaste)
            #expect(code.merchantName == "LOJA OTIMA DO ZE")
            #expect(code.merchantCity == "BELEM")
            #expect(code.account == .key("+5561912345678", additionalInfo: nil))
            #expect(code.fields.first { $0.id == "54" }?.value == "0.05")
        }
    }

    @Test("a retried Pix with the same idempotency key returns the same payment")
    func idempotent() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            let first = try await shop.payByPix("ana", order.id, idempotencyKey: "k1")
            #expect(try await shop.payByPix("ana", order.id, idempotencyKey: "k1") == first)
            #expect(try await shop.paymentsOf(order.id).count == 1)
        }
    }

    @Test("ConfirmPix approves the payment and confirms the order; repeating it returns the payment")
    func confirm() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            let pix = try await shop.payByPix("ana", order.id)
            let confirmed = try await shop.confirmPix(pix.pixTxid)
            #expect(confirmed.status == .approved)
            #expect(confirmed.id == pix.id)
            #expect(try await shop.status(of: order.id) == .confirmed)
            #expect(try await shop.confirmPix(pix.pixTxid) == confirmed)
        }
    }

    @Test("ConfirmPix: admins only; an unknown txid is NOT_FOUND")
    func confirmRefusals() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            let pix = try await shop.payByPix("ana", order.id)
            await expectRPCError(.permissionDenied) {
                _ = try await shop.payments.confirmPix(.init(txid: pix.pixTxid), metadata: TestPrincipalInterceptor.customer("ana"))
            }
            await expectRPCError(.notFound) { _ = try await shop.confirmPix("NoSuchTxid123") }
            await expectRPCError(.invalidArgument) { _ = try await shop.confirmPix("") }
            #expect(try await shop.status(of: order.id) == .pendingPayment)
        }
    }

    @Test("ConfirmPix on an order no longer payable expires the payment and is NOT_PAYABLE")
    func confirmAfterCancel() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            let pix = try await shop.payByPix("ana", order.id)
            let paid = try await shop.payByCard("ana", order.id)
            #expect(paid.status == .approved)

            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.confirmPix(pix.pixTxid) }
            let statuses = try await shop.paymentsOf(order.id).map(\.status)
            #expect(statuses == [.expired, .approved])
            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.confirmPix(pix.pixTxid) }
        }
    }

    @Test("ConfirmPix after the payment window closed expires the payment, is NOT_PAYABLE, and the order is cancelled")
    func confirmAfterDue() async throws {
        try await PaymentsHarness.with { shop in
            let order = try await shop.order(for: "ana")
            let pix = try await shop.payByPix("ana", order.id)
            shop.clock.set(nowMs: order.paymentDueAtMs)

            await expectRPCError(.failedPrecondition, reason: "NOT_PAYABLE") { _ = try await shop.confirmPix(pix.pixTxid) }
            #expect(try await shop.paymentsOf(order.id).map(\.status) == [.expired])
            #expect(await eventually { try await shop.status(of: order.id) == .cancelled })
        }
    }
}
