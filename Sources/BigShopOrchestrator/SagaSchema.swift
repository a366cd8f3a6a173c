import BigShopServiceKit
import BigShopStore

/// The tables of `orchestrator.sqlite`, as versioned migrations.
enum SagaSchema {
    /// The schema, in the `orchestrator` migration namespace.
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "sagas",
            sql: """
                CREATE TABLE sagas (
                    order_id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('cart', 'hold')),
                    user_id TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('reserving', 'creating', 'awaiting_payment', 'paying',
                        'confirming', 'cancelling', 'confirmed', 'cancelled', 'failed')),
                    reason TEXT NOT NULL DEFAULT '',
                    payment_id TEXT NOT NULL DEFAULT '',
                    lines BLOB NOT NULL,
                    amount_cents INTEGER NOT NULL,
                    payment_due_at_ms INTEGER NOT NULL DEFAULT 0,
                    campaign_id TEXT NOT NULL DEFAULT '',
                    idempotency_scope TEXT,
                    idempotency_key TEXT,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX sagas_by_idempotency_key ON sagas (idempotency_scope, idempotency_key)
                    WHERE idempotency_key IS NOT NULL;
                CREATE INDEX sagas_by_state_and_due ON sagas (state, payment_due_at_ms);
                """),
        Migration(
            version: 2, name: "sagas by customer, for the checkout limits",
            sql: """
                CREATE INDEX sagas_by_user ON sagas (user_id, kind, state, updated_at_ms);
                """),
        ServiceLease.migration(version: 3),
    ]
}
