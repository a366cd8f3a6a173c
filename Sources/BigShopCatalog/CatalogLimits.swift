/// The bounds the catalog enforces on what callers send.
///
/// Generous for real products, while keeping every row, page and reservation
/// small and every sum of quantities or prices far from overflowing `Int64`
/// (a line of 1,000 units at the maximum price is 10^14 centavos).
enum CatalogLimits {
    /// A sku: 1-64 printable ASCII characters, no spaces.
    static let maxSKULength = 64
    /// A product name, in Unicode scalars.
    static let maxNameLength = 200
    /// A product description, in Unicode scalars.
    static let maxDescriptionLength = 5_000
    /// A category, in Unicode scalars (also bounds the `category` filter).
    static let maxCategoryLength = 100
    /// The `query` of ListProducts, in Unicode scalars.
    static let maxQueryLength = 200
    /// The highest price: R$ 1.000.000.000,00.
    static let maxPriceCents: Int64 = 100_000_000_000
    /// The most units an admin may set as stock, and the most one line may reserve.
    static let maxStock: Int64 = 1_000_000_000
    /// Products per page when the request says 0.
    static let defaultPageSize = 50
    /// The largest page; larger requests are capped.
    static let maxPageSize = 500
    /// A reservation id: 1-128 printable ASCII characters.
    static let maxReservationIDLength = 128
    /// Lines of one ReserveStock request.
    static let maxReservationLines = 500
    /// Ids of one LookupProducts request.
    static let maxLookupIDs = 1_000
    /// Categories in the whole catalog: few enough to load the tree in one read.
    static let maxCategories = 1_000
    /// Levels of the category tree: a root, its children and theirs.
    static let maxCategoryDepth = 3
    /// A category slug: 1-64 characters.
    static let maxSlugLength = 64
    /// A category name, in Unicode scalars.
    static let maxCategoryNameLength = 100
    /// The highest sibling position.
    static let maxCategoryPosition: Int32 = 1_000_000
}
