import BigShopAuthAPI
import BigShopServiceKit
import BigShopStore

/// The Auth service's tables, in `<data>/auth.sqlite`:
///
/// - `users(id, email UNIQUE, name, role, password_hash, created_at_ms)`;
/// - `sessions(token_hash PK, user_id, created_at_ms, expires_at_ms, revoked_at_ms)`,
///   keyed by the SHA-256 of the token (see ``SessionToken``), never the token.
///
/// Reads run on the database's reader threads, writes on its writer thread;
/// every query is a cached prepared statement.
final class AuthStore: Sendable {
    private let database: Database

    private init(database: Database) {
        self.database = database
    }

    /// Opens (creating and migrating) the Auth database under `dataDirectory`.
    static func open(storage: ShopStorage) async throws -> AuthStore {
        let database = try await ServiceDatabase.open(
            named: "auth", in: storage, migrations: AuthSchema.migrations,
            // synchronous=FULL: a Logout is a revocation, and a revoked token
            // must stay revoked after a power loss. Each write already follows
            // a password hash or a token check, so one fsync more is noise.
            configuration: DatabaseConfiguration(synchronous: .full, readerCount: 2)
        )
        return AuthStore(database: database)
    }

    func close() async {
        await database.close()
    }

    // MARK: Users

    func user(email: String) async throws -> UserRecord? {
        try await database.read { connection in
            try connection.queryOne("SELECT \(UserRecord.columns) FROM users WHERE email = ?", .text(email))
                .map(UserRecord.init(row:))
        }
    }

    func user(id: String) async throws -> UserRecord? {
        try await database.read { connection in
            try connection.queryOne("SELECT \(UserRecord.columns) FROM users WHERE id = ?", .text(id))
                .map(UserRecord.init(row:))
        }
    }

    func emailExists(_ email: String) async throws -> Bool {
        try await database.read { connection in
            try connection.queryOne("SELECT 1 FROM users WHERE email = ?", .text(email)) != nil
        }
    }

    /// Inserts `user`. Returns false, inserting nothing, if the email is taken.
    func insert(_ user: UserRecord) async throws -> Bool {
        try await database.write { connection in
            do {
                // In a savepoint: PostgreSQL aborts a transaction at its first error otherwise.
                try connection.inSavepoint {
                    try connection.run(
                        """
                        INSERT INTO users (id, email, name, role, password_hash, created_at_ms)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                        .text(user.id), .text(user.email), .text(user.name), .text(user.role.rawValue),
                        .text(user.passwordHash), .integer(user.createdAtMs)
                    )
                }
                return true
            } catch  where error.isUniqueViolation {
                return false
            }
        }
    }

    /// Inserts every user of `batch` with its session, in one transaction.
    /// Returns false, inserting nothing, if any email is taken.
    func insert(_ batch: [(user: UserRecord, tokenHash: String, expiresAtMs: Int64)]) async throws -> Bool {
        do {
            try await database.write { connection in
                for (user, tokenHash, expiresAtMs) in batch {
                    try connection.run(
                        """
                        INSERT INTO users (id, email, name, role, password_hash, created_at_ms)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                        .text(user.id), .text(user.email), .text(user.name), .text(user.role.rawValue),
                        .text(user.passwordHash), .integer(user.createdAtMs)
                    )
                    try connection.run(
                        "INSERT INTO sessions (token_hash, user_id, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?)",
                        .text(tokenHash), .text(user.id), .integer(user.createdAtMs), .integer(expiresAtMs)
                    )
                }
            }
            return true
        } catch  where error.isUniqueViolation {
            // The transaction was rolled back: nothing of the batch is stored.
            return false
        }
    }

    // MARK: Sessions

    /// A stronger hash to store for a user who just proved their password.
    struct PasswordUpgrade: Sendable {
        /// The hash the password was verified against: the upgrade applies only
        /// if it is still the stored one.
        var old: String
        var new: String
    }

    /// Stores a new session for `userID` and, in the same transaction, drops
    /// that user's expired and revoked sessions and applies `upgrade`.
    func openSession(
        tokenHash: String,
        userID: String,
        createdAtMs: Int64,
        expiresAtMs: Int64,
        upgrade: PasswordUpgrade?
    ) async throws {
        try await database.write { connection in
            if let upgrade {
                try connection.run(
                    "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
                    .text(upgrade.new), .text(userID), .text(upgrade.old)
                )
            }
            try connection.run(
                "DELETE FROM sessions WHERE user_id = ? AND (expires_at_ms <= ? OR revoked_at_ms IS NOT NULL)",
                .text(userID), .integer(createdAtMs)
            )
            try connection.run(
                "INSERT INTO sessions (token_hash, user_id, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?)",
                .text(tokenHash), .text(userID), .integer(createdAtMs), .integer(expiresAtMs)
            )
        }
    }

    /// Marks `userID`'s session `tokenHash` revoked. Returns whether it was
    /// live until now.
    func revokeSession(tokenHash: String, userID: String, atMs nowMs: Int64) async throws -> Bool {
        try await database.write { connection in
            try connection.run(
                "UPDATE sessions SET revoked_at_ms = ? WHERE token_hash = ? AND user_id = ? AND revoked_at_ms IS NULL",
                .integer(nowMs), .text(tokenHash), .text(userID)
            )
            return connection.changes > 0
        }
    }

    /// The caller behind a live (known, unexpired, unrevoked) session.
    func principal(tokenHash: String, nowMs: Int64) async throws -> Bigshop_Auth_V1_Principal? {
        try await database.read { connection in
            guard
                let row = try connection.queryOne(
                    """
                    SELECT u.id, u.role, u.email, s.expires_at_ms
                    FROM sessions s JOIN users u ON u.id = s.user_id
                    WHERE s.token_hash = ? AND s.revoked_at_ms IS NULL AND s.expires_at_ms > ?
                    """,
                    .text(tokenHash), .integer(nowMs)
                )
            else { return nil }
            let roleName = try row.string(1)
            guard let role = ShopRole(rawValue: roleName) else { throw AuthStoreError.unknownRole(roleName) }
            return Bigshop_Auth_V1_Principal(
                userId: try row.string(0), role: role.proto, email: try row.string(2),
                sessionExpiresAtMs: try row.int64(3), sessionId: tokenHash
            )
        }
    }

    /// Deletes every expired or revoked session. Returns how many.
    func pruneSessions(nowMs: Int64) async throws -> Int {
        try await database.write { connection in
            try connection.run(
                "DELETE FROM sessions WHERE expires_at_ms <= ? OR revoked_at_ms IS NOT NULL", .integer(nowMs)
            )
            return connection.changes
        }
    }
}
