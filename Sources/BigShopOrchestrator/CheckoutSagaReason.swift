/// The machine-readable `reason` values of the checkout saga: the trailer of
/// its refusals, and the `status_reason` of the orders it cancels.
public enum CheckoutSagaReason {
    /// FAILED_PRECONDITION: the cart has nothing to check out.
    public static let emptyCart = "EMPTY_CART"
    /// FAILED_PRECONDITION: a product lacks the stock asked for; nothing was taken.
    public static let outOfStock = "OUT_OF_STOCK"
    /// ABORTED: another payment attempt on the order is running.
    public static let paymentInProgress = "PAYMENT_IN_PROGRESS"
    /// FAILED_PRECONDITION: the order is not PENDING_PAYMENT (or its window closed).
    public static let notPayable = "NOT_PAYABLE"
    /// FAILED_PRECONDITION: the order is paid or being paid.
    public static let notCancellable = "NOT_CANCELLABLE"
    /// ABORTED: the order could not be made (a hold's order whose creation failed).
    public static let checkoutFailed = "CHECKOUT_FAILED"
    /// The order's payment window closed unpaid.
    public static let paymentExpired = "PAYMENT_EXPIRED"
    /// FAILED_PRECONDITION: the customer would hold more units of a product
    /// in unpaid orders than ``CheckoutLimits/maxUnitsPerProduct``.
    public static let productLimitReached = "PRODUCT_LIMIT_REACHED"
    /// FAILED_PRECONDITION: the customer has ``CheckoutLimits/maxUnpaidOrders``
    /// unpaid orders already.
    public static let tooManyUnpaidOrders = "TOO_MANY_UNPAID_ORDERS"
    /// FAILED_PRECONDITION with `retry-after-ms`: one of the customer's orders
    /// was cancelled or expired within ``CheckoutLimits/cooldownAfterCancellation``.
    public static let checkoutCoolingDown = "CHECKOUT_COOLING_DOWN"
    /// The customer cancelled the order (the default reason of `CancelCheckout`).
    public static let cancelledByCustomer = "CANCELLED_BY_CUSTOMER"
    /// A saga found half-way at start-up, or whose steps could not complete,
    /// and compensated.
    static let interrupted = "INTERRUPTED"
    /// The cart named a product the catalog refused (unknown or deleted).
    static let invalidCart = "INVALID_CART"
}
