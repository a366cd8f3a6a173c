import BigShopOrdersAPI

/// The columns a state transition changes besides `state`; nil leaves a
/// column as it is.
struct SagaChange: Sendable {
    var reason: String?
    var paymentID: String?
    var lines: [Bigshop_Orders_V1_OrderItem]?
    var amountCents: Int64?
    var paymentDueAtMs: Int64?
    /// Frees the saga's idempotency key, so that a retry with it starts a new
    /// checkout (a failed checkout made no order to return).
    var releasesIdempotencyKey = false
}
