import BigShopOrdersAPI

/// A status an order moves to, and why.
struct StatusChange: Sendable, Hashable {
    var status: Bigshop_Orders_V1_OrderStatus
    var reason: String = ""
}
