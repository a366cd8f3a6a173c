import BigRPC
import BigShopOrdersAPI
import BigShopServiceKit

extension SagaCoordinator {
    /// `awaiting_payment` → `cancelling` → `cancelled` with `reason` (or
    /// `PAYMENT_EXPIRED` if the window has closed): payments closed, order
    /// abandoned, units released. Repeating it returns the cancelled order.
    ///
    /// Paid or being paid: FAILED_PRECONDITION reason `NOT_CANCELLABLE`. No
    /// order (never made): NOT_FOUND.
    func cancelCheckout(orderID: String, reason: String) async throws -> Bigshop_Orders_V1_Order {
        while true {
            let saga = try await load(orderID)
            switch saga.state {
            case .awaitingPayment:
                let expired = clock.nowMs() >= saga.paymentDueAtMs
                let change = SagaChange(reason: expired ? CheckoutSagaReason.paymentExpired : reason)
                guard try await move(saga, to: .cancelling, change) else { continue }
                return try await answer(settle(orderID))
            case .cancelling, .cancelled:
                return try await answer(settle(orderID))
            case .paying, .confirming, .confirmed:
                throw RPCError.refused(
                    CheckoutSagaReason.notCancellable, "order \(orderID) is paid or being paid and cannot be cancelled")
            case .reserving, .creating, .failed:
                throw RPCError(.notFound, "order \(orderID.statusPrefix()) not found")
            }
        }
    }
}
