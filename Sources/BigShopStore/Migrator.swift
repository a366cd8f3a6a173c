import Tracing

/// Applies an ordered list of ``Migration``s for one namespace of a database file.
///
/// Each service owns its tables and its own migrator namespace (e.g. `"inventory"`,
/// `"orders"`); all namespaces are recorded in one table of the file:
///
/// ```sql
/// CREATE TABLE schema_migrations (
///     namespace TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
///     applied_at TEXT NOT NULL, PRIMARY KEY (namespace, version))
/// ```
///
/// `migrate` is idempotent: applied versions are skipped. Every pending migration runs in
/// its own `BEGIN IMMEDIATE` transaction together with its `schema_migrations` row, so a
/// failing migration leaves no trace and several processes may race to migrate safely. On
/// PostgreSQL the table lives in the service's schema, scripts are rewritten by
/// ``SQLDialect/schemaScript(_:)``, and a session advisory lock serialises replicas. If
/// the database is at a newer version than the list knows, `migrate` throws
/// ``MigrationError/databaseNewerThanCode(namespace:databaseVersion:latestKnownVersion:)``
/// before touching anything.
public struct Migrator: Sendable {
    /// The namespace recorded in `schema_migrations`.
    public let namespace: String
    /// The migrations, in version order.
    public let migrations: [Migration]

    /// Creates a migrator. Versions must be positive and strictly increasing (checked by
    /// ``migrate(_:)``).
    public init(namespace: String, migrations: [Migration]) {
        self.namespace = namespace
        self.migrations = migrations
    }

    /// The highest version this migrator knows (0 if it has none).
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies the pending migrations on the writer thread and returns the versions applied
    /// (empty if the schema was already current).
    ///
    /// Traced as a span `"<system> <database> migrate <namespace>"`: a child of the current
    /// span, or the root of a trace of its own at start-up, so a slow or failed migration
    /// shows in the same place as slow calls.
    @discardableResult
    public func migrate(_ database: Database) async throws -> [Int] {
        try validate()
        return try await withSpan("\(database.spanPrefix) migrate \(namespace)", ofKind: .client) { span in
            span.attributes["db.system"] = database.dbSystem
            let (applied, commits) = try await database.writeWithoutTransaction { connection in
                try self.apply(on: connection)
            }
            for _ in 0..<commits { database.recordCommit() }
            span.attributes["bigshop.migrations.applied"] = applied.count
            return applied
        }
    }

    /// The version recorded for this namespace (0 if none, or if no migrator ever ran).
    public func currentVersion(in database: Database) async throws -> Int {
        try await database.read { connection in
            let hasTable =
                try connection.queryOne(
                    connection.dialect == .sqlite
                        ? "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"
                        : """
                        SELECT count(*) FROM information_schema.tables
                        WHERE table_schema = current_schema() AND table_name = 'schema_migrations'
                        """)?.int(0) ?? 0
            return hasTable == 0 ? 0 : try self.currentVersion(connection)
        }
    }

    private func validate() throws {
        guard !namespace.isEmpty else {
            throw MigrationError.invalidMigrationList(namespace: namespace, reason: "the namespace is empty")
        }
        var previous = 0
        for migration in migrations {
            guard migration.version > previous else {
                throw MigrationError.invalidMigrationList(
                    namespace: namespace,
                    reason: "version \(migration.version) ('\(migration.name)') must be positive and greater than \(previous)")
            }
            previous = migration.version
        }
    }

    private static func createTable(_ connection: Connection) throws {
        guard connection.dialect == .sqlite else {
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    namespace TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                        DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                    PRIMARY KEY (namespace, version)
                );
                CREATE COLLATION IF NOT EXISTS bigshop_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false)
                """)
            return
        }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                namespace TEXT NOT NULL,
                version INTEGER NOT NULL,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                PRIMARY KEY (namespace, version)
            ) WITHOUT ROWID
            """)
    }

    private func currentVersion(_ connection: Connection) throws -> Int {
        try connection.queryOne(
            "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE namespace = ?", .text(namespace)
        )?.int(0) ?? 0
    }

    private func checkNotNewer(_ version: Int) throws {
        if version > latestVersion {
            throw MigrationError.databaseNewerThanCode(
                namespace: namespace, databaseVersion: version, latestKnownVersion: latestVersion)
        }
    }

    /// Runs on the writer thread. Returns the applied versions and the number of commits.
    private func apply(on connection: Connection) throws -> ([Int], Int) {
        if connection.dialect == .postgres {
            // Replicas starting together migrate one at a time: the others wait here, then
            // find the versions applied. (SQLite's BEGIN IMMEDIATE does this below.)
            try connection.run("SELECT pg_advisory_lock(hashtext(current_schema()))")
        }
        defer {
            if connection.dialect == .postgres {
                // Closing the connection would release it too.
                try? connection.run("SELECT pg_advisory_unlock(hashtext(current_schema()))")
            }
        }
        if migrations.contains(where: \.disablesForeignKeys), connection.dialect == .postgres {
            throw StoreError.unsupported("a migration that disables foreign keys, on PostgreSQL")
        }
        try Self.createTable(connection)
        try checkNotNewer(currentVersion(connection))
        var applied: [Int] = []
        for migration in migrations {
            if migration.disablesForeignKeys {
                try connection.execute("PRAGMA foreign_keys=OFF")
            }
            defer {
                if migration.disablesForeignKeys {
                    // Restoring the pragma outside a transaction cannot fail in practice; a
                    // failure would surface on the next foreign key check anyway.
                    try? connection.execute("PRAGMA foreign_keys=ON")
                }
            }
            let didApply = try connection.transaction(begin: connection.beginWrite) { () throws -> Bool in
                // Re-read inside the write lock: another process may have migrated meanwhile.
                let current = try currentVersion(connection)
                try checkNotNewer(current)
                guard migration.version > current else { return false }
                do {
                    try migration.apply(connection)
                } catch {
                    throw MigrationError.migrationFailed(
                        namespace: namespace, version: migration.version, name: migration.name,
                        underlying: String(describing: error))
                }
                if migration.disablesForeignKeys {
                    let violations = try connection.query("PRAGMA foreign_key_check").count
                    if violations > 0 {
                        throw MigrationError.foreignKeyViolations(
                            namespace: namespace, version: migration.version, violations: violations)
                    }
                }
                try connection.run(
                    "INSERT INTO schema_migrations(namespace, version, name) VALUES (?, ?, ?)",
                    .text(namespace), .integer(Int64(migration.version)), .text(migration.name))
                return true
            }
            if didApply { applied.append(migration.version) }
        }
        return (applied, applied.count)
    }
}
