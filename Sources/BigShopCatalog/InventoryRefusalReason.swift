/// The `reason` trailers of InventoryService's FAILED_PRECONDITION refusals,
/// for callers (orders, the checkout saga) to tell them apart.
public enum InventoryRefusalReason {
    /// ReserveStock: some line asks for more units than its product's stock.
    /// Nothing was reserved; the message names every product that is short.
    public static let outOfStock = "OUT_OF_STOCK"
    /// ReleaseStock: the reservation was committed; its units are sold and
    /// stay sold.
    public static let reservationCommitted = "RESERVATION_COMMITTED"
    /// CommitStock: the reservation was released; its units went back to
    /// stock and may have been sold to someone else.
    public static let reservationReleased = "RESERVATION_RELEASED"
}
