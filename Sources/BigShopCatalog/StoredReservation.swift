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

/// The states a stored reservation can be in, as stored in
/// `reservations.state`.
///
/// ```
/// HELD ──ReleaseStock──▶ RELEASED   (units back in stock)
///   └───CommitStock────▶ COMMITTED  (units sold for good)
/// ```
enum ReservationState: String, Sendable {
    case held = "HELD"
    case committed = "COMMITTED"
    case released = "RELEASED"

    /// The state as the API shows it.
    var proto: Bigshop_Catalog_V1_ReservationState {
        switch self {
        case .held: .held
        case .committed: .committed
        case .released: .released
        }
    }
}
