import BigShopStore

/// The tables of `orders.sqlite`, as versioned migrations.
///
/// - `carts`: one row per (user, product) with a positive quantity; `added`
///   (version 2) counts a customer's lines in the order they were first added,
///   and an update keeps it (version 1 ordered by SQLite's rowid, which
///   PostgreSQL does not have).
/// - `orders`: `number` is an insertion counter that orders the book newest
///   first (ids are random); `status` holds ``Bigshop_Orders_V1_OrderStatus``
///   storage names; `last_event_seq` is the `seq` of the order's latest event.
/// - `order_items`: the lines of an order, prices frozen, in `line` order.
/// - `order_events`: every status an order has had, `seq` counting from 1 per
///   order, in commit order.
enum OrdersSchema {
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "carts, orders, order items and status events",
            sql: """
                CREATE TABLE carts (
                    user_id TEXT NOT NULL,
                    product_id TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    PRIMARY KEY (user_id, product_id)
                );
                CREATE TABLE orders (
                    number INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    status_reason TEXT NOT NULL,
                    total_cents INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL,
                    payment_due_at_ms INTEGER NOT NULL,
                    last_event_seq INTEGER NOT NULL
                );
                CREATE INDEX orders_by_user ON orders (user_id, number);
                CREATE TABLE order_items (
                    order_id TEXT NOT NULL REFERENCES orders (id),
                    line INTEGER NOT NULL,
                    product_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
                    PRIMARY KEY (order_id, line)
                ) WITHOUT ROWID;
                CREATE TABLE order_events (
                    order_id TEXT NOT NULL REFERENCES orders (id),
                    seq INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    at_ms INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    PRIMARY KEY (order_id, seq)
                ) WITHOUT ROWID;
                """),
        Migration(version: 2, name: "carts keep their order without SQLite's rowid") { connection in
            try connection.execute("ALTER TABLE carts ADD COLUMN added INTEGER NOT NULL DEFAULT 0")
            if connection.dialect == .sqlite {
                try connection.execute("UPDATE carts SET added = rowid")
            }
        },
    ]
}
