import BigShopCatalogAPI
import BigShopStore

/// A row of `categories`: the category as the API shows it (without `depth`,
/// which ``CategoryTree`` computes), plus its insertion counter.
struct StoredCategory: Sendable {
    /// The insertion counter: the last tie-break among siblings.
    var number: Int64
    var category: Bigshop_Catalog_V1_Category

    /// The columns ``init(row:)`` reads, in order.
    static let columns = "number, id, slug, name, parent_id, position, created_at_ms, updated_at_ms"

    /// Reads a row selected with ``columns``.
    init(row: Row) throws {
        number = try row.int64(0)
        category = Bigshop_Catalog_V1_Category(
            id: try row.string(1),
            slug: try row.string(2),
            name: try row.string(3),
            parentId: try row.optionalString(4) ?? "",
            position: Int32(clamping: try row.int64(5)),
            createdAtMs: try row.int64(6),
            updatedAtMs: try row.int64(7)
        )
    }
}
