import BigShopOrdersAPI

/// One committed status change of an order: a row of `order_events`.
struct OrderStatusEvent: Sendable, Hashable {
    var orderID: String
    /// The event's position in its order's history, from 1, in commit order.
    var seq: Int64
    var status: Bigshop_Orders_V1_OrderStatus
    var atMs: Int64
    var reason: String

    /// The event as the ledger streams it.
    var message: Bigshop_Orders_V1_OrderStatusChange {
        Bigshop_Orders_V1_OrderStatusChange(orderId: orderID, status: status, atMs: atMs, reason: reason)
    }
}

/// A status an order moves to, and why.
struct StatusChange: Sendable, Hashable {
    var status: Bigshop_Orders_V1_OrderStatus
    var reason: String = ""
}
