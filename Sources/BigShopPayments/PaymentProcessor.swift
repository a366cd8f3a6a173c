import BigRPC
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServiceKit
import Logging
import PaymentRules

/// Takes payments: card charges through the acquirer simulator inside a
/// saga payment attempt, Pix charges as BR Codes, and Pix confirmations.
///
/// A card's number and CVV live only in the ``CardInput`` handed to the
/// acquirer: they are never stored nor logged, and only the last four digits
/// and the brand are kept.
final class PaymentProcessor: Sendable {
    let store: PaymentStore
    let orderLedger: Bigshop_Orders_V1_OrderLedger.Client
    let saga: SagaLink
    let clock: any ShopClock
    let settings: PaymentsSettings
    let logger: Logger
    private let acquirer = AcquirerSimulator()

    init(
        store: PaymentStore,
        orderLedger: Bigshop_Orders_V1_OrderLedger.Client,
        saga: SagaLink,
        clock: any ShopClock,
        settings: PaymentsSettings,
        logger: Logger
    ) {
        self.store = store
        self.orderLedger = orderLedger
        self.saga = saga
        self.clock = clock
        self.settings = settings
        self.logger = logger
    }

    // MARK: Pay

    /// Pays `principal`'s order `request.order_id`; with `idempotencyKey`, a
    /// retry returns the payment the first call made.
    func pay(
        _ request: Bigshop_Payments_V1_PayRequest,
        principal: Principal,
        idempotencyKey: String?
    ) async throws -> Bigshop_Payments_V1_Payment {
        guard !request.orderId.isEmpty else { throw RPCError(.invalidArgument, "order_id must not be empty") }
        guard let method = request.method else { throw RPCError(.invalidArgument, "method must be pix or card") }
        let card: (input: CardInput, validated: ValidatedCard)?
        if case .card(let fields) = method {
            let input = CardInput(
                number: fields.number, expMonth: Int(fields.expMonth), expYear: Int(fields.expYear), cvv: fields.cvv,
                holder: fields.holder, installments: Int(fields.installments))
            card = (input, try validate(input))
        } else {
            card = nil
        }

        let key = idempotencyKey.map { (scope: "pay:" + principal.userID, key: $0) }
        if let key, let earlier = try await store.payment(idempotencyKey: key.key, scope: key.scope) {
            return try Self.replay(earlier, for: request.orderId)
        }
        let order = try await payableOrder(request.orderId, of: principal)
        if let card {
            return try await chargeCard(card.input, summary: card.validated.summary, order: order, key: key)
        }
        return try await chargePix(order: order, key: key)
    }

    /// Validates a card for its brand and the shop's current month;
    /// INVALID_ARGUMENT naming the field otherwise.
    private func validate(_ input: CardInput) throws(RPCError) -> ValidatedCard {
        do {
            return try Card.validate(input, now: currentMonth)
        } catch {
            throw RPCError(.invalidArgument, "card.\(error.field.rawValue) is invalid: \(error.reason.rawValue)")
        }
    }

    private var currentMonth: YearMonth {
        ShopCalendar.yearMonth(atMs: clock.nowMs(), utcOffsetMinutes: settings.utcOffsetMinutes)
    }

    /// The order, if it is `principal`'s (NOT_FOUND otherwise, admins
    /// included) and PENDING_PAYMENT (NOT_PAYABLE otherwise).
    private func payableOrder(_ orderID: String, of principal: Principal) async throws -> Bigshop_Orders_V1_Order {
        let order: Bigshop_Orders_V1_Order
        do {
            order = try await orderLedger.lookupOrder(Bigshop_Orders_V1_LookupOrderRequest(orderId: orderID))
        } catch let error as RPCError where error.code == .notFound {
            throw Self.orderNotFound(orderID)
        }
        guard order.userId == principal.userID else { throw Self.orderNotFound(orderID) }
        guard order.status == .pendingPayment else {
            throw Self.notPayable("order \(orderID) is not awaiting payment")
        }
        return order
    }

    /// The payment a key already made, if it was for this order.
    private static func replay(_ earlier: StoredPayment, for orderID: String) throws(RPCError) -> Bigshop_Payments_V1_Payment {
        guard earlier.payment.orderId == orderID else {
            throw RPCError(.invalidArgument, "this idempotency-key was used to pay another order")
        }
        return earlier.payment
    }

    // MARK: Card

    /// One saga payment attempt: BeginPayment, the payment recorded PENDING,
    /// the acquirer's answer recorded APPROVED or DECLINED, CompletePayment.
    /// A decline is a normal answer (the order stays payable).
    private func chargeCard(
        _ input: CardInput,
        summary: CardSummary,
        order: Bigshop_Orders_V1_Order,
        key: (scope: String, key: String)?
    ) async throws -> Bigshop_Payments_V1_Payment {
        let paymentID = ShopID.make("pay")
        let attempt: Bigshop_Orchestrator_V1_BeginPaymentResponse
        do {
            attempt = try await saga.begin(orderID: order.id, paymentID: paymentID)
        } catch let error as RPCError where error.code == .aborted {
            // A retry racing its first call finds the payment once recorded.
            if let key, let earlier = try await store.payment(idempotencyKey: key.key, scope: key.scope) {
                return try Self.replay(earlier, for: order.id)
            }
            throw error
        }

        let pending = StoredPayment(
            payment: Bigshop_Payments_V1_Payment(
                id: paymentID, orderId: order.id, method: .card, status: .pending, amountCents: attempt.amountCents,
                cardLast4: summary.last4, cardBrand: summary.brand.rawValue, createdAtMs: clock.nowMs()),
            userID: attempt.userId)
        do {
            if let earlier = try await store.insert(pending, idempotencyKey: key) {
                try await saga.complete(orderID: order.id, paymentID: paymentID, approved: false)
                return try Self.replay(earlier, for: order.id)
            }
            let (status, declineReason) = authorize(input, amount: attempt.amountCents)
            let approved = try await record(pending.payment, status: status, declineReason: declineReason)
            try await saga.complete(orderID: order.id, paymentID: paymentID, approved: approved)
        } catch {
            // Whatever happened, the attempt must not stay open.
            if try await store.payment(id: paymentID)?.payment.status != .approved {
                _ = try? await saga.complete(orderID: order.id, paymentID: paymentID, approved: false)
            }
            throw error
        }
        return try await current(paymentID)
    }

    /// The acquirer's answer as a status and decline reason.
    private func authorize(_ input: CardInput, amount: Int64) -> (Bigshop_Payments_V1_PaymentStatus, String) {
        do {
            switch try acquirer.authorize(input, amount: amount, now: currentMonth) {
            case .approved: return (.approved, "")
            case .declined(let reason, _): return (.declined, reason.rawValue)
            }
        } catch .invalidAmount {
            return (.declined, "invalid_amount")
        } catch {
            return (.declined, "invalid_card")
        }
    }

    /// PENDING → `status`; returns whether the payment ended APPROVED. A
    /// payment no longer PENDING (recovery declined it as interrupted, or
    /// the order's cancellation expired it) keeps its status.
    private func record(
        _ payment: Bigshop_Payments_V1_Payment,
        status: Bigshop_Payments_V1_PaymentStatus,
        declineReason: String
    ) async throws -> Bool {
        let changed = try await store.settle(payment.id, to: status, declineReason: declineReason, nowMs: clock.nowMs())
        logger.info(
            "payment \(changed ? status.storageName : "already settled")",
            metadata: [
                "payment-id": "\(payment.id)", "order-id": "\(payment.orderId)", "method": "\(payment.method.storageName)",
                "decline-reason": "\(declineReason)",
            ])
        return changed && status == .approved
    }

    // MARK: Pix

    /// A PENDING Pix payment of the order's total with its BR Code; no saga
    /// step until it is confirmed.
    private func chargePix(
        order: Bigshop_Orders_V1_Order,
        key: (scope: String, key: String)?
    ) async throws -> Bigshop_Payments_V1_Payment {
        let txid = PixTxid.generate()
        let code: PixBRCode
        do {
            code = try PixBRCode(
                account: .key(settings.pixKey), amount: order.totalCents, merchantName: settings.merchantName,
                merchantCity: settings.merchantCity, txid: txid)
        } catch {
            throw Self.notPayable("order \(order.id) has no amount to pay by Pix")
        }
        let pending = StoredPayment(
            payment: Bigshop_Payments_V1_Payment(
                id: ShopID.make("pay"), orderId: order.id, method: .pix, status: .pending,
                amountCents: order.totalCents, pixTxid: txid, pixCopyPaste: code.payload, createdAtMs: clock.nowMs()),
            userID: order.userId)
        if let earlier = try await store.insert(pending, idempotencyKey: key) {
            return try Self.replay(earlier, for: order.id)
        }
        logger.info(
            "payment pending",
            metadata: [
                "payment-id": "\(pending.payment.id)", "order-id": "\(order.id)", "method": "pix",
            ])
        return pending.payment
    }

    /// Approves the PENDING Pix payment of `txid` in a saga payment attempt,
    /// confirming its order. Repeating it on an approved payment returns it;
    /// an order no longer payable expires the payment (NOT_PAYABLE).
    func confirmPix(txid: String) async throws -> Bigshop_Payments_V1_Payment {
        guard let stored = try await store.payment(txid: txid) else {
            throw RPCError(.notFound, "no Pix payment has txid \(txid.statusPrefix())")
        }
        let payment = stored.payment
        switch payment.status {
        case .approved: return payment
        case .pending: break
        default: throw Self.notPayable("payment \(payment.id) is \(payment.status.storageName)")
        }

        let attempt: Bigshop_Orchestrator_V1_BeginPaymentResponse
        do {
            attempt = try await saga.begin(orderID: payment.orderId, paymentID: payment.id)
        } catch let error as RPCError where error.code == .failedPrecondition {
            if try await store.settle(payment.id, to: .expired, nowMs: clock.nowMs()) {
                logger.info(
                    "payment expired",
                    metadata: [
                        "payment-id": "\(payment.id)", "order-id": "\(payment.orderId)", "method": "pix",
                    ])
            }
            throw error
        }

        do {
            let approved: Bool
            if attempt.amountCents == payment.amountCents {
                approved = try await record(payment, status: .approved, declineReason: "")
            } else {
                logger.error(
                    "Pix amount differs from the order's",
                    metadata: [
                        "payment-id": "\(payment.id)", "order-id": "\(payment.orderId)",
                        "paid-cents": "\(payment.amountCents)", "order-cents": "\(attempt.amountCents)",
                    ])
                approved = try await record(payment, status: .declined, declineReason: "amount_mismatch")
            }
            try await saga.complete(orderID: payment.orderId, paymentID: payment.id, approved: approved)
        } catch {
            if try await store.payment(id: payment.id)?.payment.status != .approved {
                _ = try? await saga.complete(orderID: payment.orderId, paymentID: payment.id, approved: false)
            }
            throw error
        }
        let confirmed = try await current(payment.id)
        guard confirmed.status == .approved else {
            throw Self.notPayable("payment \(payment.id) is \(confirmed.status.storageName)")
        }
        return confirmed
    }

    // MARK: Helpers

    private func current(_ paymentID: String) async throws -> Bigshop_Payments_V1_Payment {
        guard let stored = try await store.payment(id: paymentID) else {
            throw RPCError(.internal, "payment \(paymentID) vanished")
        }
        return stored.payment
    }

    static func orderNotFound(_ orderID: String) -> RPCError {
        RPCError(.notFound, "order \(orderID.statusPrefix()) not found")
    }

    static func notPayable(_ message: String) -> RPCError {
        RPCError.refused("NOT_PAYABLE", message)
    }
}
