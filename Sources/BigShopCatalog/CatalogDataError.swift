/// Stored data that breaks an invariant the catalog's own writes keep (an
/// unknown reservation state, reserved units whose product row is gone).
/// Reaches clients as INTERNAL; the transaction that found it rolls back.
struct CatalogDataError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
