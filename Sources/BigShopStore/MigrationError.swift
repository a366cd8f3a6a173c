/// Errors raised by ``Migrator``.
public enum MigrationError: Error, Sendable, Hashable {
    /// The database holds a newer schema for this namespace than this build knows: it was
    /// migrated by a newer version of the application. Refusing to run avoids corrupting
    /// data with code that does not understand the schema.
    case databaseNewerThanCode(namespace: String, databaseVersion: Int, latestKnownVersion: Int)
    /// The migration list is invalid (versions not positive and strictly increasing, empty
    /// namespace).
    case invalidMigrationList(namespace: String, reason: String)
    /// A migration with ``Migration/disablesForeignKeys`` left rows violating foreign keys.
    case foreignKeyViolations(namespace: String, version: Int, violations: Int)
    /// A migration failed; nothing of it was applied. Earlier migrations stay applied.
    case migrationFailed(namespace: String, version: Int, name: String, underlying: String)
}

extension MigrationError: CustomStringConvertible {
    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .databaseNewerThanCode(let namespace, let databaseVersion, let latestKnownVersion):
            return "Schema namespace '\(namespace)' is at version \(databaseVersion), but this build only knows "
                + "migrations up to version \(latestKnownVersion). Refusing to start: the database was "
                + "migrated by a newer release; deploy that release or restore a matching backup."
        case .invalidMigrationList(let namespace, let reason):
            return "Invalid migrations for namespace '\(namespace)': \(reason)"
        case .foreignKeyViolations(let namespace, let version, let violations):
            return "Migration \(namespace)#\(version) left \(violations) foreign key violation(s); rolled back."
        case .migrationFailed(let namespace, let version, let name, let underlying):
            return "Migration \(namespace)#\(version) '\(name)' failed and was rolled back: \(underlying)"
        }
    }
}
