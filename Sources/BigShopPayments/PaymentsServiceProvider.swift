public import BigRPC
public import BigShopPaymentsAPI
import BigShopServiceKit

/// The public `bigshop.payments.v1.PaymentsService` (contract in
/// `proto/bigshop/payments/v1/payments.proto`): Pix and card payments of the
/// caller's orders. The caller is the ``Principal`` the gateway put on the
/// context. `Pay` and `ConfirmPix` run as work of ``PaymentsModule``, which
/// the caller's cancellation does not reach and a shutdown lets finish.
///
/// Get one from ``PaymentsModule``.
public struct PaymentsServiceProvider: Bigshop_Payments_V1_PaymentsService.ServiceProtocol {
    let processor: PaymentProcessor
    let store: PaymentStore
    let work: ServiceWork

    /// Pays one of the caller's orders by card or Pix.
    public func pay(
        request: Bigshop_Payments_V1_PayRequest,
        context: ServerContext
    ) async throws -> Bigshop_Payments_V1_Payment {
        let principal = try context.requirePrincipal()
        let key = try context.idempotencyKey()
        let processor = self.processor
        return try await work.perform { try await processor.pay(request, principal: principal, idempotencyKey: key) }
    }

    /// The payment, to its owner or an admin.
    public func getPayment(
        request: Bigshop_Payments_V1_GetPaymentRequest,
        context: ServerContext
    ) async throws -> Bigshop_Payments_V1_Payment {
        let principal = try context.requirePrincipal()
        guard !request.id.isEmpty else { throw RPCError(.invalidArgument, "id must not be empty") }
        guard let stored = try await store.payment(id: request.id),
            stored.userID == principal.userID || principal.isAdmin
        else { throw RPCError(.notFound, "payment \(request.id.statusPrefix()) not found") }
        return stored.payment
    }

    /// Admin: approves the pending Pix payment of `txid`. Unknown txid:
    /// NOT_FOUND; its order no longer payable: the payment expires and the
    /// call fails with FAILED_PRECONDITION reason `NOT_PAYABLE`.
    public func confirmPix(
        request: Bigshop_Payments_V1_ConfirmPixRequest,
        context: ServerContext
    ) async throws -> Bigshop_Payments_V1_Payment {
        guard try context.requirePrincipal().isAdmin else {
            throw RPCError(.permissionDenied, "only admins confirm Pix payments")
        }
        guard !request.txid.isEmpty else { throw RPCError(.invalidArgument, "txid must not be empty") }
        let processor = self.processor
        return try await work.perform { try await processor.confirmPix(txid: request.txid) }
    }
}
