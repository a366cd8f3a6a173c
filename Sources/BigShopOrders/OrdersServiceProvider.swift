public import BigRPC
import BigShopOrchestratorAPI
public import BigShopOrdersAPI
import BigShopServiceKit

/// The public `bigshop.orders.v1.OrdersService` (contract in
/// `proto/bigshop/orders/v1/orders.proto`): the caller's cart and orders. The
/// caller is the ``Principal`` the gateway put on the context. `Checkout` and
/// `CancelOrder` delegate to the checkout saga, which owns every
/// multi-service flow, as work of ``OrdersModule`` that its caller's
/// cancellation does not reach.
///
/// Get one from ``OrdersModule``.
public struct OrdersServiceProvider: Bigshop_Orders_V1_OrdersService.ServiceProtocol {
    /// The `reason` CancelOrder gives the saga.
    public static let customerCancellationReason = "CANCELLED_BY_CUSTOMER"

    let book: OrderStore
    let carts: ShoppingCarts
    let saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client
    let work: ServiceWork

    /// The caller's cart at current prices: total = Σ quantity × unit price.
    /// Lines of products no longer on sale are left out, so the cart shown is
    /// exactly what Checkout orders; the next SetCartItem deletes them.
    public func getCart(
        request: Bigshop_Orders_V1_GetCartRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Cart {
        try await carts.cart(of: context.requirePrincipal().userID)
    }

    /// Sets a product's quantity in the caller's cart (0 removes it) without
    /// checking stock, and returns the cart. INVALID_ARGUMENT for a negative
    /// or too large quantity, or a product not on sale; FAILED_PRECONDITION
    /// reason `PRODUCT_LIMIT_REACHED` for more units than one customer may
    /// buy, `CART_FULL` for a product beyond the cart's line limit.
    public func setCartItem(
        request: Bigshop_Orders_V1_SetCartItemRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Cart {
        try await carts.setItem(request.productId, quantity: request.quantity, for: context.requirePrincipal().userID)
    }

    /// Checks out the caller's cart through the saga's `StartCheckout`, with
    /// the call's `idempotency-key`; the saga's errors (reasons `EMPTY_CART`,
    /// `OUT_OF_STOCK`, and the shop rules' `TOO_MANY_UNPAID_ORDERS`,
    /// `PRODUCT_LIMIT_REACHED`, `CHECKOUT_COOLING_DOWN` with
    /// `retry-after-ms`) pass through unchanged.
    public func checkout(
        request: Bigshop_Orders_V1_CheckoutRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        let saga = self.saga
        let start = Bigshop_Orchestrator_V1_StartCheckoutRequest(
            userId: try context.requirePrincipal().userID,
            idempotencyKey: try context.idempotencyKey() ?? "")
        return try await work.perform { try await saga.startCheckout(start) }
    }

    /// The order, to its owner or an admin; NOT_FOUND for anyone else.
    public func getOrder(
        request: Bigshop_Orders_V1_GetOrderRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        let principal = try context.requirePrincipal()
        let order = try await existingOrder(request.id)
        guard order.userId == principal.userID || principal.isAdmin else { throw OrderStore.notFound(request.id) }
        return order
    }

    /// Cancels the caller's own order while it is PENDING_PAYMENT, through
    /// the saga's `CancelCheckout` (which returns the stock). Another user's
    /// order is NOT_FOUND, admins included (an admin may do what a customer
    /// may: cancel their own orders); any other status is FAILED_PRECONDITION
    /// reason `NOT_CANCELLABLE`. The saga's own refusals pass through.
    public func cancelOrder(
        request: Bigshop_Orders_V1_CancelOrderRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        let principal = try context.requirePrincipal()
        let order = try await existingOrder(request.id)
        guard order.userId == principal.userID else { throw OrderStore.notFound(request.id) }
        guard order.status == .pendingPayment else {
            throw RPCError.refused(
                OrdersRefusalReason.notCancellable, "order \(order.id) is \(order.status.storageName); only unpaid orders can be cancelled")
        }
        let saga = self.saga
        let cancel = Bigshop_Orchestrator_V1_CancelCheckoutRequest(
            orderId: order.id, reason: Self.customerCancellationReason)
        return try await work.perform { try await saga.cancelCheckout(cancel) }
    }

    /// Admin: CONFIRMED → SHIPPED or SHIPPED → DELIVERED, recorded as a
    /// status event. Any other move is FAILED_PRECONDITION reason
    /// `INVALID_STATUS_TRANSITION`; a status that is no status at all
    /// (unspecified, unknown number) is INVALID_ARGUMENT.
    public func updateOrderStatus(
        request: Bigshop_Orders_V1_UpdateOrderStatusRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        guard try context.requirePrincipal().isAdmin else {
            throw RPCError(.permissionDenied, "only admins update an order's status")
        }
        guard !request.id.isEmpty else { throw RPCError(.invalidArgument, "id must not be empty") }
        switch request.status {
        case .unspecified, .unrecognized:
            throw RPCError(.invalidArgument, "status must be an order status")
        default:
            return try await book.fulfil(request.id, to: request.status)
        }
    }

    /// The order `id` if it exists (NOT_FOUND otherwise), whoever owns it:
    /// callers decide who may see it.
    private func existingOrder(_ id: String) async throws -> Bigshop_Orders_V1_Order {
        guard !id.isEmpty else { throw RPCError(.invalidArgument, "id must not be empty") }
        return try await book.existingOrder(id: id)
    }
}
