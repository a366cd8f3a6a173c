import BigShopStore

/// The tables of `catalog.sqlite`, as versioned migrations (namespace `catalog`).
///
/// - `products`: `number` is an insertion counter that orders listings and
///   keys their page cursors (ids are random); `sku` compares without ASCII
///   case and is unique among live products only, so a deleted product's sku
///   can be used again; `deleted_at_ms` marks a soft delete; `name_folded` and
///   `sku_folded` are the lowercased name and sku that `query` searches;
///   `stock` can never go negative.
/// - `reservations`: one row per reservation id with its state (`HELD`,
///   `COMMITTED`, `RELEASED`); a released id that was never reserved is kept
///   as a `RELEASED` row with no lines.
/// - `reservation_lines`: one line per product of a reservation, with the
///   name and unit price at the moment of reserving (the order's frozen price).
/// - `categories` (version 2): the managed tree; `parent_id` is NULL for a
///   root; `slug` is unique. `products.category_id` links a product to one;
///   a deleted product's link is cleared when its category is deleted.
///   Version 2 also re-folds `name_folded` and `sku_folded` without accents
///   (``Swift/String/foldedForSearch``), which version 1 only lowercased.
enum CatalogSchema {
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "products, reservations and reservation lines",
            sql: """
                CREATE TABLE products (
                    number INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    sku TEXT NOT NULL COLLATE NOCASE,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
                    stock INTEGER NOT NULL CHECK (stock >= 0),
                    category TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL,
                    deleted_at_ms INTEGER,
                    name_folded TEXT NOT NULL,
                    sku_folded TEXT NOT NULL
                );
                CREATE UNIQUE INDEX products_live_sku ON products (sku) WHERE deleted_at_ms IS NULL;
                CREATE INDEX products_live_by_category ON products (category, number) WHERE deleted_at_ms IS NULL;
                CREATE TABLE reservations (
                    id TEXT PRIMARY KEY,
                    state TEXT NOT NULL CHECK (state IN ('HELD', 'COMMITTED', 'RELEASED')),
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE reservation_lines (
                    reservation_id TEXT NOT NULL REFERENCES reservations (id),
                    line INTEGER NOT NULL,
                    product_id TEXT NOT NULL REFERENCES products (id),
                    name TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
                    PRIMARY KEY (reservation_id, line)
                ) WITHOUT ROWID;
                """),
        Migration(version: 2, name: "categories; search ignores accents") { connection in
            try connection.execute(
                """
                CREATE TABLE categories (
                    number INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    slug TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    parent_id TEXT REFERENCES categories (id),
                    position INTEGER NOT NULL CHECK (position >= 0),
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                CREATE INDEX categories_by_parent ON categories (parent_id);
                ALTER TABLE products ADD COLUMN category_id TEXT REFERENCES categories (id);
                CREATE INDEX products_live_by_category_id ON products (category_id, number)
                    WHERE deleted_at_ms IS NULL;
                """)
            for row in try connection.query("SELECT id, name, sku FROM products") {
                try connection.run(
                    "UPDATE products SET name_folded = ?, sku_folded = ? WHERE id = ?",
                    .text(try row.string(1).foldedForSearch), .text(try row.string(2).foldedForSearch),
                    .text(try row.string(0)))
            }
        },
    ]
}
