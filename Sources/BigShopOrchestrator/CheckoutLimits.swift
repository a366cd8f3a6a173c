import BigRPC

/// The per-customer rules a cart checkout must pass, so that one customer
/// cannot hold the catalog: checked in the transaction that starts the
/// saga, against the customer's other sagas (see `docs/OPERATIONS.md`,
/// "Shop rules").
///
/// Only cart checkouts are counted and refused. Flash-sale holds draw on a
/// campaign's own units, not the catalog stock these rules protect, and are
/// limited by the campaign's per-customer limit per drop; a hold's order
/// neither counts towards these caps nor is refused by them.
public struct CheckoutLimits: Sendable, Hashable {
    /// The most units of one product a customer may hold in unpaid cart
    /// orders, the order being checked out included. Default 5.
    public var maxUnitsPerProduct: Int64
    /// The most unpaid (PENDING_PAYMENT) cart orders a customer may have at
    /// once, checkouts still in progress included. Default 3.
    public var maxUnpaidOrders: Int
    /// How long after one of a customer's cart orders is cancelled or
    /// expires unpaid the customer's next checkout is refused, so that
    /// cancel + checkout cannot renew a hold forever; zero turns it off.
    /// Default 5 minutes.
    public var cooldownAfterCancellation: Duration

    /// Creates limits; every argument has the documented default.
    public init(
        maxUnitsPerProduct: Int64 = 5,
        maxUnpaidOrders: Int = 3,
        cooldownAfterCancellation: Duration = .seconds(5 * 60)
    ) {
        self.maxUnitsPerProduct = maxUnitsPerProduct
        self.maxUnpaidOrders = maxUnpaidOrders
        self.cooldownAfterCancellation = cooldownAfterCancellation
    }

    /// No limit that a test or load generator would notice.
    public static let unlimited = CheckoutLimits(
        maxUnitsPerProduct: .max, maxUnpaidOrders: .max, cooldownAfterCancellation: .zero)

    /// Why a limit is not usable, or nil.
    var problem: String? {
        if maxUnitsPerProduct < 1 { return "maxUnitsPerProduct must be at least 1" }
        if maxUnpaidOrders < 1 { return "maxUnpaidOrders must be at least 1" }
        if cooldownAfterCancellation < .zero { return "cooldownAfterCancellation must not be negative" }
        return nil
    }

    var cooldownMs: Int64 { cooldownAfterCancellation.saturatingMilliseconds }
}
