import BigShopCatalogAPI

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
