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
    private let connection: PostgresConnection
    private let logger: Logger
    /// The SQL as written (with `?`) → the SQL sent (with `$n`).
    private var rewritten: [String: String] = [:]
    /// Rows changed by the last statement.
    private(set) var changes = 0
    private(set) var totalChanges = 0
    /// Tracked from the transaction-control statements this session runs.
    private(set) var isInTransaction = false

    private init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
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
        var pgConfiguration = PostgresConnection.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.username, password: endpoint.password,
            database: endpoint.database, tls: .disable)
        pgConfiguration.options.connectTimeout = .milliseconds(Int64(configuration.busyTimeoutMilliseconds))
        var logger = Logger(label: "bigshop.store.postgres")
        logger.logLevel = .critical  // errors reach callers as PostgresError; no logging of SQL
        var attempt = 1
        let connection: PostgresConnection
        while true {
            do {
                connection = try PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.next(), configuration: pgConfiguration,
                    id: Int.random(in: 0..<Int.max), logger: logger
                ).wait()
                break
            } catch {
                // A server restarting, or too busy to accept at once: try a few more times.
                let failure = PostgresError(error, sql: nil)
                guard failure.isConnectionFailure || failure.sqlState == "57P03", attempt < 4 else { throw failure }
                usleep(UInt32(attempt) * 250_000)
                attempt += 1
            }
        }
        let session = PostgresSession(connection: connection, logger: logger)
        if isWriter {
            try session.runScriptStatement("CREATE SCHEMA IF NOT EXISTS \(schema)", racingOtherProcesses: true)
        }
        try session.runScriptStatement("SET search_path TO \(schema)")
        if !isWriter {
            try session.runScriptStatement("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        }
        return session
    }

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

    // MARK: Statements

    /// Runs one statement with `?` parameters and returns its rows.
    @discardableResult
    func query(_ sql: String, bindings: [SQLiteValue]) throws -> [Row] {
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
            result = try connection.query(PostgresQuery(unsafeSQL: text, binds: binds), logger: logger).wait()
        } catch {
            throw PostgresError(error, sql: sql)
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
        do {
            let result = try connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).wait()
            if sql == "COMMIT", result.metadata.command == "ROLLBACK" {
                isInTransaction = false
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
            let failure = PostgresError(error, sql: sql)
            // Two processes creating the same schema at once: one loses with 23505 or 42P06.
            if racingOtherProcesses, failure.sqlState == "23505" || failure.sqlState == "42P06" { return }
            throw failure
        }
        let upper = sql.uppercased()
        if upper.hasPrefix("BEGIN") || upper.hasPrefix("START TRANSACTION") {
            isInTransaction = true
        } else if upper == "COMMIT" || upper == "END" || upper == "ROLLBACK" {
            isInTransaction = false
        }
    }

    /// Marks the transaction closed after a failed COMMIT or ROLLBACK (PostgreSQL ends the
    /// transaction either way).
    func forgetTransaction() {
        isInTransaction = false
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
