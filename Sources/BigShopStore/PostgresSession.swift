import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One PostgreSQL connection driven synchronously from a database thread: the PostgreSQL
/// driver behind a ``Connection``.
///
/// postgres-nio is asynchronous; ``Database`` bodies are synchronous closures on threads
/// the database owns (as with SQLite), so each call here waits for its future. That is
/// safe because those threads are never event-loop threads nor Swift's cooperative pool.
/// Confined to its thread; deliberately not `Sendable`.
final class PostgresSession {
    /// Where the session is between statements.
    private enum State {
        /// No transaction open: the next statement may run on a new connection.
        case idle
        /// A transaction is open on the current connection.
        case inTransaction
        /// The connection died inside a transaction: every statement fails until the
        /// caller's ROLLBACK (which then succeeds without a server) closes it.
        case transactionLost(PostgresError)
    }

    private var connection: PostgresConnection
    private let endpoint: PostgresEndpoint
    private let schema: String
    private let isWriter: Bool
    private let configuration: DatabaseConfiguration
    private let logger: Logger
    private var state = State.idle
    /// The SQL as written (with `?`) → the SQL sent (with `$n`).
    private var rewritten: [String: String] = [:]
    /// Rows changed by the last statement.
    private(set) var changes = 0
    private(set) var totalChanges = 0

    /// `true` while a transaction is open, including one whose connection died and that
    /// still waits for its ROLLBACK.
    var isInTransaction: Bool {
        if case .idle = state { return false }
        return true
    }

    private init(
        connection: PostgresConnection, endpoint: PostgresEndpoint, schema: String, isWriter: Bool,
        configuration: DatabaseConfiguration, logger: Logger
    ) {
        self.connection = connection
        self.endpoint = endpoint
        self.schema = schema
        self.isWriter = isWriter
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        close()
    }

    /// Connects, creates the service's schema if needed (writers only) and makes it the
    /// only one on the search path, so the service's SQL names its tables unqualified.
    static func open(
        endpoint: PostgresEndpoint, schema: String, isWriter: Bool, configuration: DatabaseConfiguration
    )
        throws -> PostgresSession
    {
        guard PostgresSession.isValidIdentifier(schema) else {
            throw StoreError.invalidConfiguration("schema name '\(schema)' must be lowercase letters, digits and _")
        }
        if let role = configuration.postgresRole, !PostgresSession.isValidIdentifier(role) {
            throw StoreError.invalidConfiguration("role name '\(role)' must be lowercase letters, digits and _, at most 63 bytes")
        }
        var logger = Logger(label: "bigshop.store.postgres")
        logger.logLevel = .critical  // errors reach callers as PostgresError; no logging of SQL
        let session = PostgresSession(
            connection: try connect(endpoint: endpoint, schema: schema, configuration: configuration, logger: logger),
            endpoint: endpoint, schema: schema, isWriter: isWriter, configuration: configuration, logger: logger)
        try session.prepareConnection()
        return session
    }

    /// Opens a connection, trying a few times while the server is restarting or too busy.
    private static func connect(
        endpoint: PostgresEndpoint, schema: String, configuration: DatabaseConfiguration, logger: Logger
    ) throws -> PostgresConnection {
        var pgConfiguration = try endpoint.driverConfiguration()
        // pg_stat_activity then says which service each connection serves.
        pgConfiguration.options.additionalStartupParameters = [("application_name", "\(applicationNamePrefix)\(schema)")]
        pgConfiguration.options.connectTimeout = .milliseconds(Int64(configuration.busyTimeoutMilliseconds))
        var attempt = 1
        while true {
            do {
                return try PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.next(), configuration: pgConfiguration,
                    id: Int.random(in: 0..<Int.max), logger: logger
                ).wait()
            } catch {
                let failure = PostgresError(error, sql: nil)
                if let tlsFailure = PostgresError.tlsFailure(error, endpoint: endpoint) { throw tlsFailure }
                // No SQLSTATE: refused, reset or timed out before the server said anything.
                guard failure.sqlState == nil || failure.isConnectionFailure, attempt < 4 else {
                    throw PostgresError(sqlState: "08001", message: "cannot connect to PostgreSQL: \(failure.message)")
                }
                usleep(UInt32(attempt) * 250_000)
                attempt += 1
            }
        }
    }

    /// Settles a new connection: the schema (writers create it), the service's role
    /// (``DatabaseConfiguration/postgresRole``: writers settle it, every connection takes
    /// it), and the read-only default of readers.
    private func prepareConnection() throws {
        let serviceRole = configuration.postgresRole.map { PostgresServiceRole(schema: schema, role: $0) }
        if isWriter {
            if let serviceRole {
                try serviceRole.settle(self)
            } else {
                try runScriptStatement("CREATE SCHEMA IF NOT EXISTS \(schema)", racingOtherProcesses: true)
            }
        }
        try serviceRole?.take(self)
        try runScriptStatement("SET search_path TO \(schema)")
        if !isWriter {
            try runScriptStatement("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        }
    }

    /// Replaces a connection that died (the server restarted, the backend was terminated,
    /// the network dropped it) before a statement outside a transaction: a transaction
    /// never moves to another connection, it is lost with its own.
    private func reconnectIfClosed() throws {
        guard connection.isClosed, case .idle = state else { return }
        connection = try Self.connect(endpoint: endpoint, schema: schema, configuration: configuration, logger: logger)
        try prepareConnection()
    }

    /// The start of every connection's `application_name`; the schema follows.
    static let applicationNamePrefix = "bigshop:"

    /// Lowercase letters, digits and `_`, starting with a letter: safe to splice into DDL.
    static func isValidIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.utf8.count <= 63 else {
            return false
        }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    func close() {
        guard !connection.isClosed else { return }
        try? connection.close().wait()
    }

    /// Waits for a statement's result, at most ``DatabaseConfiguration/postgresStatementTimeout``:
    /// a server that stops answering (paused, partitioned away) must not hold a database
    /// thread forever. Past the timeout the connection is closed, which fails the statement.
    private func wait<T>(_ future: EventLoopFuture<T>) throws -> T {
        let connection = self.connection
        let watchdog = future.eventLoop.scheduleTask(in: configuration.postgresStatementTimeoutAmount) {
            let closed: EventLoopFuture<Void> = connection.close()
            closed.whenComplete { _ in }
        }
        defer { watchdog.cancel() }
        return try future.wait()
    }

    /// Turns a failed statement into a ``PostgresError`` and, when the connection itself
    /// failed, says what became of the work: before a transaction started or inside one
    /// that had not reached COMMIT, nothing was written (08006, safe to run again); a
    /// COMMIT or a statement outside any transaction may or may not have taken effect
    /// (08007, transaction resolution unknown).
    private func failure(_ error: any Error, sql: String) -> PostgresError {
        let failure = PostgresError(error, sql: sql)
        guard Self.isConnectionLoss(error) || connection.isClosed else { return failure }
        let upper = sql.uppercased()
        let outcomeUnknown: Bool
        switch state {
        case .idle: outcomeUnknown = !(upper.hasPrefix("BEGIN") || upper.hasPrefix("SET ") || upper.hasPrefix("CREATE SCHEMA"))
        case .inTransaction, .transactionLost: outcomeUnknown = upper == "COMMIT" || upper == "END"
        }
        let lost = PostgresError(
            sqlState: outcomeUnknown ? "08007" : "08006",
            message: "the connection to PostgreSQL was lost: \(failure.message)", sql: sql)
        if case .inTransaction = state { state = outcomeUnknown ? .idle : .transactionLost(lost) }
        return lost
    }

    /// The driver's ways of saying the connection is gone, and the server's (admin
    /// shutdown, crash shutdown, an operator's `pg_terminate_backend`).
    private static func isConnectionLoss(_ error: any Error) -> Bool {
        if let psql = error as? PSQLError {
            switch psql.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown: return true
            default: break
            }
            if let state = psql.serverInfo?[.sqlState] { return state.hasPrefix("08") || state.hasPrefix("57P0") }
            return false
        }
        return error is ChannelError || error is IOError
    }

    // MARK: Statements

    /// Runs one statement with `?` parameters and returns its rows.
    @discardableResult
    func query(_ sql: String, bindings: [SQLiteValue]) throws -> [Row] {
        if case .transactionLost(let lost) = state { throw PostgresError(sqlState: lost.sqlState, message: lost.message, sql: sql) }
        try reconnectIfClosed()
        let text: String
        if let cached = rewritten[sql] {
            text = cached
        } else {
            text = SQLDialect.postgres.parameters(sql)
            if rewritten.count > 512 { rewritten.removeAll(keepingCapacity: true) }
            rewritten[sql] = text
        }
        var binds = PostgresBindings(capacity: bindings.count)
        for value in bindings { Self.append(value, to: &binds) }
        let result: PostgresQueryResult
        do {
            result = try wait(connection.query(PostgresQuery(unsafeSQL: text, binds: binds), logger: logger))
        } catch {
            throw failure(error, sql: sql)
        }
        changes = result.metadata.rows ?? 0
        totalChanges += changes
        var rows: [Row] = []
        rows.reserveCapacity(result.rows.count)
        var names: [String]?
        for row in result.rows {
            var values: [SQLiteValue] = []
            var columnNames: [String] = []
            for cell in row {
                values.append(try Self.value(of: cell))
                if names == nil { columnNames.append(cell.columnName) }
            }
            if names == nil { names = columnNames }
            rows.append(Row(columnNames: names ?? [], values: values))
        }
        return rows
    }

    /// Runs each statement of a `;`-separated script, without parameters.
    func execute(_ script: String) throws {
        for statement in SQLTokens.statements(in: script) {
            try runScriptStatement(statement)
        }
    }

    /// Runs a transaction-control or schema statement and tracks the transaction state.
    func runControl(_ sql: String) throws {
        try runScriptStatement(sql)
    }

    private func runScriptStatement(_ sql: String, racingOtherProcesses: Bool = false) throws {
        let upper = sql.uppercased()
        if case .transactionLost(let lost) = state {
            // Nothing to undo on the server: the transaction died with its connection.
            if upper.hasPrefix("ROLLBACK") && !upper.hasPrefix("ROLLBACK TO") {
                state = .idle
                return
            }
            throw PostgresError(sqlState: lost.sqlState, message: lost.message, sql: sql)
        }
        try reconnectIfClosed()
        do {
            let result = try wait(connection.query(PostgresQuery(unsafeSQL: sql), logger: logger))
            if sql == "COMMIT", result.metadata.command == "ROLLBACK" {
                state = .idle
                // A body caught a statement's error and went on: PostgreSQL had already
                // aborted the transaction (SQLite would have kept the other statements).
                throw PostgresError(
                    sqlState: "25P02",
                    message: "the transaction was aborted by an error the body caught; run statements whose errors it handles in inSavepoint",
                    sql: sql)
            }
        } catch let error as PostgresError {
            throw error
        } catch {
            let failure = failure(error, sql: sql)
            // Two processes creating the same schema at once: one loses with 23505 or 42P06.
            if racingOtherProcesses, failure.sqlState == "23505" || failure.sqlState == "42P06" { return }
            throw failure
        }
        if upper.hasPrefix("BEGIN") || upper.hasPrefix("START TRANSACTION") {
            state = .inTransaction
        } else if upper == "COMMIT" || upper == "END" || upper == "ROLLBACK" {
            state = .idle
        }
    }

    /// Marks the transaction closed after a failed COMMIT or ROLLBACK (PostgreSQL ends the
    /// transaction either way).
    func forgetTransaction() {
        state = .idle
    }

    // MARK: Values

    private static func append(_ value: SQLiteValue, to binds: inout PostgresBindings) {
        switch value {
        case .null: binds.appendNull()
        case .integer(let integer): binds.append(integer)
        case .real(let real): binds.append(real)
        case .text(let text): binds.append(text)
        case .blob(let bytes): binds.append(ByteBuffer(bytes: bytes))
        }
    }

    private static func value(of cell: PostgresCell) throws -> SQLiteValue {
        guard cell.bytes != nil else { return .null }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8, .oid: return .integer(try cell.decode(Int64.self))
            case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .float4, .float8: return .real(try cell.decode(Double.self))
            case .bytea: return .blob(Array(buffer: try cell.decode(ByteBuffer.self)))
            case .numeric:
                // sum() of bigint is numeric: keep whole numbers as integers.
                let number = "\(try cell.decode(Decimal.self))"
                if let integer = Int64(number) { return .integer(integer) }
                return .real(Double(number) ?? .nan)
            default: return .text(try cell.decode(String.self))
            }
        } catch {
            throw PostgresError(
                sqlState: nil, message: "cannot read column '\(cell.columnName)' of type \(cell.dataType)", sql: nil)
        }
    }
}
