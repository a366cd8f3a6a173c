public import BigRPC
public import BigShopPaymentsAPI
import BigShopServiceKit

/// The public `bigshop.payments.v1.PaymentsService`, as `api-v1.md`
/// specifies: Pix and card payments of the caller's orders. The caller is
/// the ``Principal`` the gateway put on the context.
///
/// - `Pay`: the amount is always the order's. A card is validated first
///   (INVALID_ARGUMENT naming the field) and charged in one saga payment
///   attempt; a decline answers OK with status DECLINED and leaves the order
///   payable. Pix answers a PENDING payment with its BR Code. Another
///   customer's order is NOT_FOUND; an order not PENDING_PAYMENT is
///   FAILED_PRECONDITION reason `NOT_PAYABLE`. A retry with the same
///   `idempotency-key` returns the same payment.
/// - `GetPayment`: the owner's or an admin's; NOT_FOUND for anyone else.
/// - `ConfirmPix` (admin, standing in for the PSP's webhook): approves a
///   pending Pix payment and confirms its order.
///
/// `Pay` and `ConfirmPix` run to their end even if the client goes away, so
/// that no payment attempt stops half-way.
///
/// Get one from ``PaymentsModule``.
public struct PaymentsServiceProvider: Bigshop_Payments_V1_PaymentsService.ServiceProtocol {
    let processor: PaymentProcessor
    let store: PaymentStore

    /// Pays one of the caller's orders by card or Pix.
    public func pay(
        request: Bigshop_Payments_V1_PayRequest,
        context: ServerContext
    ) async throws -> Bigshop_Payments_V1_Payment {
        let principal = try context.requirePrincipal()
        let key = try context.idempotencyKey()
        let processor = self.processor
        return try await Task { try await processor.pay(request, principal: principal, idempotencyKey: key) }.value
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
        return try await Task { try await processor.confirmPix(txid: request.txid) }.value
    }
}
