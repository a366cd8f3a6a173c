/// The tunables of the orders service. Every default is what a real launch
/// would use.
public struct OrdersSettings: Sendable, Hashable {
    /// The largest quantity SetCartItem accepts as input at all; more is
    /// INVALID_ARGUMENT. Default 1,000.
    public var maxQuantityPerLine: Int64
    /// The shop rule: the most units of one product a customer may put in a
    /// cart line; more is FAILED_PRECONDITION reason `PRODUCT_LIMIT_REACHED`.
    /// Checkout applies the same cap to the line plus the units the customer
    /// already holds in unpaid orders (``CheckoutLimits`` of the
    /// orchestrator, which should be given the same value). Default 5.
    public var maxUnitsPerProduct: Int64
    /// The shop rule: the most distinct products a cart may hold; a new line
    /// beyond it is FAILED_PRECONDITION reason `CART_FULL`. Default 50.
    public var maxCartLines: Int
    /// Orders per page of `ListOrdersOf` when the request says 0. Default 50.
    public var defaultPageSize: Int
    /// The largest page of `ListOrdersOf`; larger requests are capped. Default 500.
    public var maxPageSize: Int
    /// Status changes buffered per order watcher before it is resynchronized
    /// from the database instead of being fed live. Default 32.
    public var watcherBufferCapacity: Int

    /// Creates settings; every argument has the documented default.
    public init(
        maxQuantityPerLine: Int64 = 1_000,
        maxUnitsPerProduct: Int64 = 5,
        maxCartLines: Int = 50,
        defaultPageSize: Int = 50,
        maxPageSize: Int = 500,
        watcherBufferCapacity: Int = 32
    ) {
        precondition(maxQuantityPerLine >= 1, "a cart line must be able to hold one unit")
        precondition(maxUnitsPerProduct >= 1, "a customer must be able to buy one unit")
        precondition(maxCartLines >= 1, "a cart must be able to hold one line")
        precondition(defaultPageSize >= 1 && defaultPageSize <= maxPageSize, "need 1 <= defaultPageSize <= maxPageSize")
        precondition(watcherBufferCapacity >= 1, "a watcher must be able to buffer one event")
        self.maxQuantityPerLine = maxQuantityPerLine
        self.maxUnitsPerProduct = maxUnitsPerProduct
        self.maxCartLines = maxCartLines
        self.defaultPageSize = defaultPageSize
        self.maxPageSize = maxPageSize
        self.watcherBufferCapacity = watcherBufferCapacity
    }
}
