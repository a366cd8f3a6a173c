public import BigRPC
public import BigShopOrdersAPI
import BigShopServiceKit

/// The internal `bigshop.orders.v1.OrderLedger`: the order book as the
/// checkout saga and the history service use it, exactly as
/// `order_ledger.proto` describes. No ownership checks: callers pass the user
/// and check what they must. Not for the public port.
///
/// - `CreateOrder` is idempotent per order id, and with `remove_from_cart`
///   takes the ordered quantities out of the cart in the same transaction.
/// - `ConfirmOrder` and `AbandonOrder` repeat as no-ops. `ConfirmOrder` on an
///   order shipped or delivered since is a no-op too (a saga resuming after
///   a crash may repeat it that late).
/// - `ListOrdersOf` pages newest first with opaque keyset tokens.
/// - `WatchOrderEvents` replays the history, then streams each change as it
///   commits, and ends after DELIVERED or CANCELLED.
///
/// Get one from ``OrdersModule``.
public struct OrderLedgerProvider: Bigshop_Orders_V1_OrderLedger.ServiceProtocol {
    let book: OrderStore
    let carts: ShoppingCarts
    let feed: OrderEventFeed
    let settings: OrdersSettings

    /// A user's cart at current catalog prices; lines of products no longer
    /// on sale are left out.
    public func getCartOf(
        request: Bigshop_Orders_V1_GetCartOfRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Cart {
        guard !request.userId.isEmpty else { throw RPCError(.invalidArgument, "user_id must not be empty") }
        return try await carts.cart(of: request.userId)
    }

    /// Creates the order PENDING_PAYMENT (status, reason and times set here)
    /// with its first status event; an existing id returns that order
    /// unchanged.
    public func createOrder(
        request: Bigshop_Orders_V1_CreateOrderRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        try await book.create(request.validatedOrder(), removeFromCart: request.removeFromCart)
    }

    /// PENDING_PAYMENT → CONFIRMED; a no-op if already confirmed or beyond;
    /// FAILED_PRECONDITION (reason `INVALID_STATUS_TRANSITION`) if cancelled.
    public func confirmOrder(
        request: Bigshop_Orders_V1_ConfirmOrderRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        try await book.confirm(Self.orderID(request.orderId))
    }

    /// PENDING_PAYMENT → CANCELLED with the reason; a no-op if already
    /// cancelled; FAILED_PRECONDITION (reason `INVALID_STATUS_TRANSITION`)
    /// otherwise.
    public func abandonOrder(
        request: Bigshop_Orders_V1_AbandonOrderRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        guard !request.reason.isEmpty else { throw RPCError(.invalidArgument, "reason must not be empty") }
        return try await book.abandon(Self.orderID(request.orderId), reason: request.reason)
    }

    /// Any order by id; NOT_FOUND if there is none.
    public func lookupOrder(
        request: Bigshop_Orders_V1_LookupOrderRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        try await book.existingOrder(id: Self.orderID(request.orderId))
    }

    /// Orders newest first, one user's or (empty `user_id`) everyone's.
    /// Page size: 0 is ``OrdersSettings/defaultPageSize``, larger than
    /// ``OrdersSettings/maxPageSize`` is capped, negative is INVALID_ARGUMENT.
    public func listOrdersOf(
        request: Bigshop_Orders_V1_ListOrdersOfRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_ListOrdersOfResponse {
        let size = try PageToken.pageSize(request.pageSize, default: settings.defaultPageSize, max: settings.maxPageSize)
        var cursor: Int64?
        if let token = try PageToken.decode(request.pageToken, fieldCount: 1) {
            guard let number = Int64(token.fields[0]) else {
                throw RPCError(.invalidArgument, "page_token is not a token this server issued")
            }
            cursor = number
        }
        let page = try await book.page(of: request.userId.isEmpty ? nil : request.userId, limit: size, after: cursor)
        return Bigshop_Orders_V1_ListOrdersOfResponse(
            orders: page.orders,
            nextPageToken: page.next.map { PageToken([String($0)]).encoded } ?? "")
    }

    /// The order's status changes oldest first, then each as it commits;
    /// ends after DELIVERED or CANCELLED. NOT_FOUND if there is no such order.
    public func watchOrderEvents(
        request: Bigshop_Orders_V1_WatchOrderEventsRequest,
        response: RPCWriter<Bigshop_Orders_V1_OrderStatusChange>,
        context: ServerContext
    ) async throws {
        try await feed.run(orderID: Self.orderID(request.orderId)) { event in
            try await response.write(event.message)
        }
    }

    private static func orderID(_ id: String) throws(RPCError) -> String {
        guard !id.isEmpty else { throw RPCError(.invalidArgument, "order_id must not be empty") }
        return id
    }
}
