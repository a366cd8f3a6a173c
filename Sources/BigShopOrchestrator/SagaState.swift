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
