import BigShopServiceKit
import BigShopStore

/// The tables of `payments.sqlite`, as versioned migrations.
enum PaymentsSchema {
    /// The schema, in the `payments` migration namespace.
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "payments",
            sql: """
                CREATE TABLE payments (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    method TEXT NOT NULL CHECK (method IN ('pix', 'card')),
                    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'expired', 'refunded')),
                    amount_cents INTEGER NOT NULL,
                    pix_txid TEXT UNIQUE,
                    pix_copy_paste TEXT NOT NULL DEFAULT '',
                    card_last4 TEXT NOT NULL DEFAULT '',
                    card_brand TEXT NOT NULL DEFAULT '',
                    decline_reason TEXT NOT NULL DEFAULT '',
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX payments_one_approved_per_order ON payments (order_id) WHERE status = 'approved';
                CREATE INDEX payments_by_order ON payments (order_id, created_at_ms);
                """),
        IdempotencyRecords.migration(version: 2),
        Migration(version: 3, name: "payments of an order keep their order without SQLite's rowid") { connection in
            try connection.execute("ALTER TABLE payments ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0")
            if connection.dialect == .sqlite {
                try connection.execute("UPDATE payments SET attempt = rowid")
            }
        },
    ]
}
