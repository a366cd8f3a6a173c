/// Errors raised by the store itself rather than by SQLite or PostgreSQL.
public enum StoreError: Error, Sendable, Hashable {
    /// The ``Database`` was closed (or is closing); the request was not executed.
    case databaseClosed
    /// A worker thread could not be started.
    case threadStartFailed(errno: Int32)
    /// `PRAGMA journal_mode=WAL` did not take effect (for example on an in-memory database).
    case walUnavailable(journalMode: String)
    /// A statement was given a different number of arguments than it has parameters.
    case bindingCountMismatch(sql: String, expected: Int, got: Int)
    /// A prepared statement was used after its connection was closed.
    case statementFinalized(sql: String)
    /// A string given to ``Connection/prepare(_:)`` held no SQL statement.
    case emptyStatement(sql: String)
    /// An invalid configuration value.
    case invalidConfiguration(String)
    /// A ``Database/writeWithoutTransaction(_:)`` body returned with a transaction still
    /// open; it was rolled back.
    case transactionLeftOpen
    /// The permissions of a database file (`path`) could not be read or
    /// restricted to ``DatabaseConfiguration/filePermissions``.
    case filePermissions(path: String, errno: Int32)
    /// The engine behind the ``Database`` does not offer this (e.g. a prepared
    /// ``Statement`` on PostgreSQL).
    case unsupported(String)
}

extension StoreError: CustomStringConvertible {
    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .databaseClosed:
            return "The database is closed."
        case .threadStartFailed(let errno):
            return "Could not start a database thread (errno \(errno))."
        case .walUnavailable(let mode):
            return "WAL journal mode could not be enabled (journal_mode is '\(mode)')."
        case .bindingCountMismatch(let sql, let expected, let got):
            return "Statement expects \(expected) argument(s) but got \(got): \(sql)"
        case .statementFinalized(let sql):
            return "Statement used after its connection was closed: \(sql)"
        case .emptyStatement(let sql):
            return "No SQL statement in: '\(sql)'"
        case .invalidConfiguration(let message):
            return "Invalid configuration: \(message)"
        case .transactionLeftOpen:
            return "The body returned with a transaction still open; it was rolled back."
        case .filePermissions(let path, let errno):
            return "Could not restrict the permissions of \(path) (errno \(errno))."
        case .unsupported(let what):
            return "Not supported by this database engine: \(what)."
        }
    }
}
