import BigShopStore

/// The tables of `orders.sqlite`, as versioned migrations.
///
/// - `carts`: one row per (user, product) with a positive quantity; rows keep
///   their rowid on updates, so `ORDER BY rowid` is the order lines were added.
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
                """)
    ]
}
