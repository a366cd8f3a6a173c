import BigRPC
import BigShopOrchestratorAPI
import BigShopOrdersAPI

extension SagaCoordinator {
    /// `awaiting_payment` → `paying` for attempt `paymentID`, answering what
    /// to charge. Repeating it for the attempt in progress answers the same.
    ///
    /// - Another attempt in progress: ABORTED reason `PAYMENT_IN_PROGRESS`.
    /// - Not awaiting payment, or its window closed (the order is then
    ///   cancelled at once): FAILED_PRECONDITION reason `NOT_PAYABLE`.
    func beginPayment(orderID: String, paymentID: String) async throws -> Bigshop_Orchestrator_V1_BeginPaymentResponse {
        while true {
            let saga = try await load(orderID)
            switch saga.state {
            case .awaitingPayment:
                if clock.nowMs() >= saga.paymentDueAtMs {
                    let reason = CheckoutSagaReason.paymentExpired
                    if try await move(saga, to: .cancelling, SagaChange(reason: reason)) {
                        settleInBackground(orderID)
                    }
                    throw Self.notPayable(orderID, "its payment window has closed")
                }
                if try await move(saga, to: .paying, SagaChange(paymentID: paymentID)) {
                    return Bigshop_Orchestrator_V1_BeginPaymentResponse(amountCents: saga.amountCents, userId: saga.userID)
                }
            case .paying where saga.paymentID == paymentID:
                return Bigshop_Orchestrator_V1_BeginPaymentResponse(amountCents: saga.amountCents, userId: saga.userID)
            case .paying:
                throw RPCError.refused(
                    CheckoutSagaReason.paymentInProgress, "another payment of order \(orderID) is in progress",
                    code: .aborted)
            default:
                throw Self.notPayable(orderID, "it is \(saga.state.rawValue)")
            }
        }
    }

    /// Ends attempt `paymentID`:
    /// - approved: `paying` → `confirming` → `confirmed` (units committed,
    ///   order confirmed);
    /// - declined: back to `awaiting_payment`, or to `cancelling` →
    ///   `cancelled` (reason `PAYMENT_EXPIRED`) if the window closed meanwhile.
    ///
    /// Repeating it is safe. An approval reported after recovery ended its
    /// attempt (the money is in) still confirms an order awaiting payment;
    /// for an order that can no longer take it, it is logged as an error and
    /// refused with NOT_PAYABLE.
    func completePayment(orderID: String, paymentID: String, approved: Bool) async throws -> Bigshop_Orders_V1_Order {
        while true {
            let saga = try await load(orderID)
            let attemptRunning = saga.state == .paying && saga.paymentID == paymentID
            let paidByIt = (saga.state == .confirming || saga.state == .confirmed) && saga.paymentID == paymentID
            if attemptRunning {
                let moved: Bool
                if approved {
                    moved = try await move(saga, to: .confirming, ifPaymentID: paymentID)
                } else if clock.nowMs() >= saga.paymentDueAtMs {
                    let change = SagaChange(reason: CheckoutSagaReason.paymentExpired)
                    moved = try await move(saga, to: .cancelling, change, ifPaymentID: paymentID)
                } else {
                    moved = try await move(saga, to: .awaitingPayment, SagaChange(paymentID: ""), ifPaymentID: paymentID)
                }
                guard moved else { continue }
            } else if approved, saga.state == .awaitingPayment {
                guard try await move(saga, to: .confirming, SagaChange(paymentID: paymentID)) else { continue }
            } else if approved, !paidByIt {
                logger.error(
                    "approved payment for an order that cannot take it",
                    metadata: [
                        "order-id": "\(orderID)", "payment-id": "\(paymentID)", "state": "\(saga.state.rawValue)",
                    ])
                throw Self.notPayable(orderID, "it is \(saga.state.rawValue)")
            }
            return try await answer(settle(orderID))
        }
    }
}
