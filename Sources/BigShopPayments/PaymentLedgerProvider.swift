public import BigRPC
public import BigShopPaymentsAPI
import BigShopServiceKit
import Logging

/// The internal `bigshop.payments.v1.PaymentLedger`: what the checkout saga
/// needs from payments. Not for the public port. Every call is idempotent.
///
/// Get one from ``PaymentsModule``.
public struct PaymentLedgerProvider: Bigshop_Payments_V1_PaymentLedger.ServiceProtocol {
    let store: PaymentStore
    let clock: any ShopClock
    let logger: Logger

    /// Every payment of the order, oldest first.
    public func listPaymentsOf(
        request: Bigshop_Payments_V1_ListPaymentsOfRequest,
        context: ServerContext
    ) async throws -> Bigshop_Payments_V1_ListPaymentsOfResponse {
        try Self.require(request.orderId)
        return Bigshop_Payments_V1_ListPaymentsOfResponse(payments: try await store.payments(ofOrder: request.orderId))
    }

    /// The order can no longer be paid: its PENDING payments become EXPIRED.
    public func closeOrderPayments(
        request: Bigshop_Payments_V1_CloseOrderPaymentsRequest,
        context: ServerContext
    ) async throws -> Bigshop_Payments_V1_CloseOrderPaymentsResponse {
        try Self.require(request.orderId)
        let expired = try await store.settlePending(
            ofOrder: request.orderId, cardsOnly: false, to: .expired, declineReason: "", nowMs: clock.nowMs())
        if expired > 0 {
            context.logger(logger).info("payments expired", metadata: ["order-id": "\(request.orderId)", "count": "\(expired)"])
        }
        return Bigshop_Payments_V1_CloseOrderPaymentsResponse()
    }

    /// A payment attempt cut short by a crash: the order's PENDING card
    /// payments become DECLINED with decline_reason `interrupted`.
    public func abortInterruptedPayments(
        request: Bigshop_Payments_V1_AbortInterruptedPaymentsRequest,
        context: ServerContext
    ) async throws -> Bigshop_Payments_V1_AbortInterruptedPaymentsResponse {
        try Self.require(request.orderId)
        let declined = try await store.settlePending(
            ofOrder: request.orderId, cardsOnly: true, to: .declined, declineReason: "interrupted",
            nowMs: clock.nowMs())
        if declined > 0 {
            context.logger(logger).notice(
                "interrupted card payments declined",
                metadata: [
                    "order-id": "\(request.orderId)", "count": "\(declined)",
                ])
        }
        return Bigshop_Payments_V1_AbortInterruptedPaymentsResponse()
    }

    private static func require(_ orderID: String) throws(RPCError) {
        guard !orderID.isEmpty else { throw RPCError(.invalidArgument, "order_id must not be empty") }
    }
}
