/// One schema change of a ``Migrator``: a version number, a name, and the SQL (or closure)
/// that performs it. A migration runs inside its own transaction.
public struct Migration: Sendable {
    /// Position in the migrator's sequence; positive and strictly increasing.
    public let version: Int
    /// A short description, recorded in `schema_migrations`.
    public let name: String
    /// The SQL script, for migrations created with ``init(version:name:sql:disablesForeignKeys:)``.
    public let sql: String?
    /// When `true`, foreign key enforcement is switched off while the migration runs (needed
    /// to rebuild a table that other tables reference), and `PRAGMA foreign_key_check` must
    /// pass before the migration commits.
    public let disablesForeignKeys: Bool
    let apply: @Sendable (Connection) throws -> Void

    /// A migration that executes an SQL script (several statements allowed).
    public init(version: Int, name: String, sql: String, disablesForeignKeys: Bool = false) {
        self.version = version
        self.name = name
        self.sql = sql
        self.disablesForeignKeys = disablesForeignKeys
        self.apply = { connection in try connection.execute(sql) }
    }

    /// A migration performed by a closure on the writer connection (e.g. to backfill data).
    public init(
        version: Int,
        name: String,
        disablesForeignKeys: Bool = false,
        apply: @escaping @Sendable (Connection) throws -> Void
    ) {
        self.version = version
        self.name = name
        self.sql = nil
        self.disablesForeignKeys = disablesForeignKeys
        self.apply = apply
    }
}
