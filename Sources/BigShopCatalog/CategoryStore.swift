import BigShopCatalogAPI
import BigShopStore

/// The SQL of the `categories` table. Synchronous: every function runs inside
/// a ``Database`` read or write body, on the connection it is handed.
///
/// There are at most ``CatalogLimits/maxCategories`` categories, so checks
/// that need the whole tree (depth, cycles) load it: see ``CategoryTree``.
enum CategoryStore {
    /// A subquery of the ids of the category bound to its one `?` and of
    /// every category below it, for `… IN (subtreeIDs)`.
    static let subtreeIDs = """
        WITH RECURSIVE subtree(id) AS (
            SELECT ? UNION ALL SELECT categories.id FROM categories JOIN subtree ON categories.parent_id = subtree.id
        ) SELECT id FROM subtree
        """

    /// Every category.
    static func tree(in connection: Connection) throws -> CategoryTree {
        CategoryTree(
            try connection.query("SELECT \(StoredCategory.columns) FROM categories").map(StoredCategory.init(row:)))
    }

    /// Whether a category has `id`.
    static func exists(id: String, in connection: Connection) throws -> Bool {
        try connection.queryOne("SELECT 1 FROM categories WHERE id = ?", .text(id)) != nil
    }

    /// Inserts a new category.
    static func insert(_ category: Bigshop_Catalog_V1_Category, in connection: Connection) throws {
        try connection.run(
            """
            INSERT INTO categories (id, slug, name, parent_id, position, created_at_ms, updated_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            .text(category.id), .text(category.slug), .text(category.name), parentValue(category),
            .integer(Int64(category.position)), .integer(category.createdAtMs), .integer(category.updatedAtMs))
    }

    /// Writes the updatable fields and `updated_at_ms` of an existing category.
    static func update(_ category: Bigshop_Catalog_V1_Category, in connection: Connection) throws {
        try connection.run(
            "UPDATE categories SET slug = ?, name = ?, parent_id = ?, position = ?, updated_at_ms = ? WHERE id = ?",
            .text(category.slug), .text(category.name), parentValue(category), .integer(Int64(category.position)),
            .integer(category.updatedAtMs), .text(category.id))
    }

    /// The number of live products in the category itself (not below it).
    static func liveProductCount(id: String, in connection: Connection) throws -> Int64 {
        try connection.queryOne(
            "SELECT count(*) FROM products WHERE category_id = ? AND deleted_at_ms IS NULL", .text(id)
        )?.int64(0) ?? 0
    }

    /// Deletes a category that has no live products and no sub-categories,
    /// first clearing the link of deleted products to it.
    static func delete(id: String, in connection: Connection) throws {
        try connection.run("UPDATE products SET category_id = NULL WHERE category_id = ?", .text(id))
        try connection.run("DELETE FROM categories WHERE id = ?", .text(id))
    }

    /// `parent_id` as stored: NULL for a root.
    private static func parentValue(_ category: Bigshop_Catalog_V1_Category) -> SQLiteValue {
        category.parentId.isEmpty ? .null : .text(category.parentId)
    }
}
