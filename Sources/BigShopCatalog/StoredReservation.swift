import BigShopCatalogAPI

/// A row of `reservations` with its lines.
struct StoredReservation: Sendable {
    var id: String
    var state: ReservationState
    /// One line per product, with the name and unit price at reservation time.
    var lines: [Bigshop_Catalog_V1_ReservedLine]

    /// The reservation as the API shows it.
    var proto: Bigshop_Catalog_V1_StockReservation {
        Bigshop_Catalog_V1_StockReservation(reservationId: id, state: state.proto, lines: lines)
    }
}
