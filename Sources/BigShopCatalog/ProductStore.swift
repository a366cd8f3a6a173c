import BigShopCatalogAPI
import BigShopStore

/// The SQL of the `products` table. Synchronous: every function runs inside a
/// ``Database`` read or write body, on the connection it is handed.
enum ProductStore {
    /// The product with `id`, deleted or not.
    static func find(id: String, in connection: Connection) throws -> StoredProduct? {
        try connection.queryOne("SELECT \(StoredProduct.columns) FROM products WHERE id = ?", .text(id))
            .map(StoredProduct.init(row:))
    }

    /// Whether a live (not deleted) product has `sku`, ignoring ASCII case.
    static func liveSKUExists(_ sku: String, in connection: Connection) throws -> Bool {
        try connection.queryOne("SELECT 1 FROM products WHERE sku = ? AND deleted_at_ms IS NULL", .text(sku)) != nil
    }

    /// The number of products ever created, deleted ones included.
    static func countIncludingDeleted(in connection: Connection) throws -> Int64 {
        try connection.queryOne("SELECT count(*) FROM products")?.int64(0) ?? 0
    }

    /// Inserts a new product.
    static func insert(_ product: Bigshop_Catalog_V1_Product, in connection: Connection) throws {
        try connection.run(
            """
            INSERT INTO products (id, sku, name, description, price_cents, stock, category,
                                  created_at_ms, updated_at_ms, name_folded, sku_folded, category_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .text(product.id), .text(product.sku), .text(product.name), .text(product.description),
            .integer(product.priceCents), .integer(product.stock), .text(product.category),
            .integer(product.createdAtMs), .integer(product.updatedAtMs),
            .text(product.name.foldedForSearch), .text(product.sku.foldedForSearch), categoryValue(product)
        )
    }

    /// Writes the updatable fields and `updated_at_ms` of an existing product.
    static func update(_ product: Bigshop_Catalog_V1_Product, in connection: Connection) throws {
        try connection.run(
            """
            UPDATE products
            SET name = ?, description = ?, price_cents = ?, stock = ?, category = ?,
                updated_at_ms = ?, name_folded = ?, category_id = ?
            WHERE id = ?
            """,
            .text(product.name), .text(product.description), .integer(product.priceCents),
            .integer(product.stock), .text(product.category), .integer(product.updatedAtMs),
            .text(product.name.foldedForSearch), categoryValue(product), .text(product.id)
        )
    }

    /// `category_id` as stored: NULL for none.
    private static func categoryValue(_ product: Bigshop_Catalog_V1_Product) -> SQLiteValue {
        product.categoryId.isEmpty ? .null : .text(product.categoryId)
    }

    /// Soft-deletes a live product. Returns false if there is none with `id`.
    static func markDeleted(id: String, atMs nowMs: Int64, in connection: Connection) throws -> Bool {
        try connection.run(
            "UPDATE products SET deleted_at_ms = ?, updated_at_ms = ? WHERE id = ? AND deleted_at_ms IS NULL",
            .integer(nowMs), .integer(nowMs), .text(id)
        )
        return connection.changes == 1
    }

    /// Takes `quantity` units from the product's stock if it has that many.
    /// Returns false, changing nothing, if it has fewer.
    static func takeStock(productID: String, quantity: Int64, in connection: Connection) throws -> Bool {
        try connection.run(
            "UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?",
            .integer(quantity), .text(productID), .integer(quantity)
        )
        return connection.changes == 1
    }

    /// Puts `quantity` units back into the product's stock, deleted or not.
    static func returnStock(productID: String, quantity: Int64, in connection: Connection) throws {
        try connection.run("UPDATE products SET stock = stock + ? WHERE id = ?", .integer(quantity), .text(productID))
        guard connection.changes == 1 else {
            throw CatalogDataError("reserved units of product \(productID) have no product row to return to")
        }
    }

    /// Up to `limit` live products after the cursor `afterNumber`, in creation
    /// order, optionally of one `category` label, of the category
    /// `categoryID` or one below it, and matching `query` (already folded) in
    /// the name or sku.
    ///
    /// The query is a plain substring (`instr`), so `%` and `_` match only
    /// themselves.
    static func page(
        afterNumber: Int64,
        category: String,
        categoryID: String,
        foldedQuery: String,
        limit: Int,
        in connection: Connection
    ) throws -> [StoredProduct] {
        var conditions = ["deleted_at_ms IS NULL", "number > ?"]
        var bindings: [SQLiteValue] = [.integer(afterNumber)]
        if !category.isEmpty {
            conditions.append("category = ?")
            bindings.append(.text(category))
        }
        if !categoryID.isEmpty {
            conditions.append("category_id IN (\(CategoryStore.subtreeIDs))")
            bindings.append(.text(categoryID))
        }
        if !foldedQuery.isEmpty {
            // A substring test, not LIKE, so % and _ in the query are literal.
            let position = connection.dialect == .sqlite ? "instr" : "strpos"
            conditions.append("(\(position)(name_folded, ?) > 0 OR \(position)(sku_folded, ?) > 0)")
            bindings += [.text(foldedQuery), .text(foldedQuery)]
        }
        bindings.append(.integer(Int64(limit)))
        let sql = """
            SELECT \(StoredProduct.columns) FROM products
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY number LIMIT ?
            """
        return try connection.query(sql, bindings: bindings).map(StoredProduct.init(row:))
    }
}
