/// The `reason` trailers of the orders service's FAILED_PRECONDITION
/// refusals (the checkout saga's own pass through Checkout unchanged).
public enum OrdersRefusalReason {
    /// A new product beyond ``OrdersSettings/maxCartLines``.
    public static let cartFull = "CART_FULL"
    /// A quantity beyond ``OrdersSettings/maxUnitsPerProduct``; the checkout
    /// saga gives the same reason when the units held in unpaid orders count.
    public static let productLimitReached = "PRODUCT_LIMIT_REACHED"
    /// The cart's total would be beyond what an order can hold.
    public static let cartTotalTooLarge = "CART_TOTAL_TOO_LARGE"
    /// An order that is not PENDING_PAYMENT cannot be cancelled.
    public static let notCancellable = "NOT_CANCELLABLE"
    /// A status move other than CONFIRMED → SHIPPED → DELIVERED.
    public static let invalidStatusTransition = "INVALID_STATUS_TRANSITION"
}
