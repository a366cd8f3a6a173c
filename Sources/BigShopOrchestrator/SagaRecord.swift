import BigShopOrdersAPI

/// One row of `sagas`: an order's saga and everything needed to resume it.
struct SagaRecord: Sendable, Hashable {
    /// The order's id, also the reservation id and the key of every step.
    var orderID: String
    var kind: SagaKind
    var userID: String
    var state: SagaState
    /// Why the saga is cancelling, cancelled or failed; empty otherwise.
    var reason: String
    /// The payment of the attempt in progress (`paying`) or that paid the
    /// order (`confirming`, `confirmed`); empty otherwise.
    var paymentID: String
    /// The order's lines: the cart's while `reserving`, then the reserved
    /// lines with their frozen prices.
    var lines: [Bigshop_Orders_V1_OrderItem]
    /// Σ quantity × unit price of ``lines``: what the order costs.
    var amountCents: Int64
    /// When the payment window closes; 0 until the stock is held.
    var paymentDueAtMs: Int64
    /// The flash-sale campaign of a `hold` saga; empty for carts.
    var campaignID: String
    var createdAtMs: Int64
    var updatedAtMs: Int64

    /// The order `CreateOrder` makes for this saga.
    var orderDraft: Bigshop_Orders_V1_Order {
        Bigshop_Orders_V1_Order(
            id: orderID, userId: userID, items: lines, totalCents: amountCents, paymentDueAtMs: paymentDueAtMs)
    }

    /// The saga as the transition to `state` with `change` leaves it.
    func moved(to state: SagaState, _ change: SagaChange) -> SagaRecord {
        var saga = self
        saga.state = state
        saga.reason = change.reason ?? reason
        saga.paymentID = change.paymentID ?? paymentID
        saga.lines = change.lines ?? lines
        saga.amountCents = change.amountCents ?? amountCents
        saga.paymentDueAtMs = change.paymentDueAtMs ?? paymentDueAtMs
        return saga
    }
}

/// What holds an order's units while it is unpaid, which decides how the
/// saga settles them.
enum SagaKind: String, Sendable {
    /// A cart checkout: the catalog's `InventoryService` holds the stock.
    case cart
    /// A flash-sale hold: the flash sale's `HoldLedger` holds the unit.
    case hold
}

/// Where a checkout saga stands, as `sagas.state` stores it. The table of
/// states, and what recovery does in each, is in `docs/CHECKOUT.md`.
enum SagaState: String, Sendable, CaseIterable {
    /// Stock reservation requested (cart checkout).
    case reserving
    /// Stock held; the order is being created.
    case creating
    /// The order is PENDING_PAYMENT until `payment_due_at_ms`.
    case awaitingPayment = "awaiting_payment"
    /// One payment attempt (`payment_id`) is in progress.
    case paying
    /// A payment was approved; stock is being committed and the order confirmed.
    case confirming
    /// Giving up (`reason`): payments closed, order abandoned, stock released.
    case cancelling
    /// Terminal: paid and confirmed.
    case confirmed
    /// Terminal: cancelled, with its stock back.
    case cancelled
    /// Terminal: no order was made and nothing is held.
    case failed
}

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
