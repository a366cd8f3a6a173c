import BigShopServiceKit
import BigShopStore

/// The tables of `flashsale.sqlite`, as versioned migrations.
enum FlashSaleSchema {
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "campaigns and holds",
            sql: """
                CREATE TABLE campaigns (
                    id TEXT PRIMARY KEY,
                    product_id TEXT NOT NULL,
                    product_name TEXT NOT NULL,
                    starts_at_ms INTEGER NOT NULL,
                    drops INTEGER NOT NULL CHECK (drops > 0),
                    units_per_drop INTEGER NOT NULL CHECK (units_per_drop > 0),
                    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
                    drop_interval_ms INTEGER NOT NULL CHECK (drop_interval_ms > 0),
                    hold_ms INTEGER NOT NULL CHECK (hold_ms > 0),
                    per_customer_limit INTEGER NOT NULL CHECK (per_customer_limit > 0),
                    created_at_ms INTEGER NOT NULL
                );
                CREATE TABLE holds (
                    id TEXT PRIMARY KEY,
                    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
                    unit INTEGER NOT NULL,
                    user_id TEXT NOT NULL,
                    drop_index INTEGER NOT NULL,
                    order_id TEXT NOT NULL UNIQUE,
                    state TEXT NOT NULL CHECK (state IN ('held', 'sold', 'released')),
                    created_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    settled_at_ms INTEGER
                );
                -- A unit is in at most one live hold: never sold twice.
                CREATE UNIQUE INDEX holds_live_unit ON holds (campaign_id, unit) WHERE state IN ('held', 'sold');
                CREATE INDEX holds_by_campaign_state ON holds (campaign_id, state);
                """),
        ServiceLease.migration(version: 2),
        Migration(
            version: 3, name: "each hold names the owner's epoch that recorded it",
            sql: """
                ALTER TABLE holds ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
                """),
    ]
}
