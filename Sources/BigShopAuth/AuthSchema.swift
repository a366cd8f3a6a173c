import BigShopStore

/// The Auth database's schema, in order. Never edit a shipped migration: add
/// the next version.
enum AuthSchema {
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "users and sessions",
            sql: """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('customer', 'admin')),
                    password_hash TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL
                );
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id),
                    created_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    revoked_at_ms INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX sessions_by_user ON sessions (user_id);
                CREATE INDEX sessions_by_expiry ON sessions (expires_at_ms);
                """)
    ]
}
