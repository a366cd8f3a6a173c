import NIOSSL
import PostgresNIO

/// An error reported by PostgreSQL (or by the connection to it), with its SQLSTATE code.
///
/// Messages never include bound values. ``Error/isUniqueViolation`` and friends classify
/// it the same way as a ``SQLiteError``, so services can stay engine-neutral.
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The five-character SQLSTATE (e.g. `23505` for a unique violation), or `nil` when the
    /// server never answered (connection refused, closed, timed out).
    public let sqlState: String?
    /// The server's primary message, or a description of the connection failure.
    public let message: String
    /// The SQL that failed, if any.
    public let sql: String?

    /// Creates an error.
    public init(sqlState: String?, message: String, sql: String? = nil) {
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
    }

    init(_ error: any Error, sql: String?) {
        if let psql = error as? PSQLError {
            let info = psql.serverInfo
            let underlying = psql.underlying.map { " (\($0))" } ?? ""
            self.init(
                sqlState: info?[.sqlState], message: info?[.message] ?? "\(psql.code)\(underlying)", sql: sql)
        } else {
            self.init(sqlState: nil, message: String(describing: error), sql: sql)
        }
    }

    /// A connection refused for TLS (sslmode=require against a server without TLS, a
    /// certificate the settings do not trust), said plainly with the `sslmode` in force; nil
    /// for any other failure. Such a failure is not retried: it will not pass by itself.
    static func tlsFailure(_ error: any Error, endpoint: PostgresEndpoint) -> PostgresError? {
        let mode = "sslmode=\(endpoint.tls.mode.rawValue)"
        if let psql = error as? PSQLError {
            if psql.code == .sslUnsupported {
                return PostgresError(
                    sqlState: "08001", message: "PostgreSQL at \(endpoint.host):\(endpoint.port) does not accept TLS, which \(mode) requires")
            }
            if let underlying = psql.underlying, underlying is NIOSSLError || underlying is NIOSSLExtraError {
                return PostgresError(
                    sqlState: "08001",
                    message: "TLS to PostgreSQL at \(endpoint.host):\(endpoint.port) failed (\(mode)): \(underlying)")
            }
        }
        if error is NIOSSLError || error is NIOSSLExtraError {
            return PostgresError(
                sqlState: "08001", message: "TLS to PostgreSQL at \(endpoint.host):\(endpoint.port) failed (\(mode)): \(error)")
        }
        return nil
    }

    /// `serialization_failure` (40001) or `deadlock_detected` (40P01): the transaction lost a
    /// race with another one and may simply be run again.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// Any integrity constraint violation (SQLSTATE class 23).
    public var isConstraintViolation: Bool { sqlState?.hasPrefix("23") ?? false }

    /// `unique_violation` (23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// `foreign_key_violation` (23503).
    public var isForeignKeyViolation: Bool { sqlState == "23503" }

    /// `true` when the connection itself failed or could not be made (SQLSTATE class 08,
    /// or the server shutting down): the database threads open a new one for the next
    /// transaction.
    public var isConnectionFailure: Bool { sqlState?.hasPrefix("08") == true || sqlState?.hasPrefix("57P0") == true }

    /// `connection_failure` (08006) as the store reports it: the connection was lost before
    /// the transaction reached COMMIT, so nothing of it was written and it may run again.
    public var isConnectionLostBeforeCommit: Bool { sqlState == "08006" }

    /// `transaction_resolution_unknown` (08007): the connection was lost while a COMMIT (or
    /// a statement outside any transaction) was on its way; it may or may not have taken
    /// effect.
    public var isOutcomeUnknown: Bool { sqlState == "08007" }

    public var description: String {
        var text = "PostgreSQL error"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let sql { text += " (in: \(sql))" }
        return text
    }
}

extension Error {
    /// `true` for a unique-constraint violation from either engine.
    public var isUniqueViolation: Bool {
        (self as? SQLiteError)?.isUniqueViolation ?? (self as? PostgresError)?.isUniqueViolation ?? false
    }

    /// `true` for any constraint violation (unique, check, not null, foreign key) from
    /// either engine: the statement can never succeed as written.
    public var isConstraintViolation: Bool {
        (self as? SQLiteError)?.isConstraintViolation ?? (self as? PostgresError)?.isConstraintViolation ?? false
    }
}
