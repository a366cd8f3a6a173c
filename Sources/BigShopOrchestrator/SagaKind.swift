/// What holds an order's units while it is unpaid, which decides how the
/// saga settles them.
enum SagaKind: String, Sendable {
    /// A cart checkout: the catalog's `InventoryService` holds the stock.
    case cart
    /// A flash-sale hold: the flash sale's `HoldLedger` holds the unit.
    case hold
}
