import BigShopCatalogAPI
import BigShopStore

/// A row of `products`: the product as the API shows it, plus what only the
/// store knows.
struct StoredProduct: Sendable {
    /// The insertion counter: the listing order and page cursor.
    var number: Int64
    var product: Bigshop_Catalog_V1_Product
    /// When the product was deleted, if it was.
    var deletedAtMs: Int64?

    var isDeleted: Bool { deletedAtMs != nil }

    /// The columns ``init(row:)`` reads, in order.
    static let columns = """
        number, id, sku, name, description, price_cents, stock, category, created_at_ms, updated_at_ms, deleted_at_ms,
        category_id
        """

    /// Reads a row selected with ``columns``.
    init(row: Row) throws {
        number = try row.int64(0)
        product = Bigshop_Catalog_V1_Product(
            id: try row.string(1),
            sku: try row.string(2),
            name: try row.string(3),
            description: try row.string(4),
            priceCents: try row.int64(5),
            stock: try row.int64(6),
            category: try row.string(7),
            createdAtMs: try row.int64(8),
            updatedAtMs: try row.int64(9)
        )
        deletedAtMs = try row.optionalInt64(10)
        product.categoryId = try row.optionalString(11) ?? ""
    }
}
