/// One database connection, confined to the database thread that opened it.
///
/// You never create a `Connection`: ``Database`` hands one to the body of
/// ``Database/write(_:)``, ``Database/writeBatched(_:)`` and ``Database/read(_:)``, which
/// run on the database's own threads. Do not keep it (or its statements) after the body
/// returns. The type is deliberately not `Sendable`.
///
/// The same SQL runs on both engines (see ``SQLDialect``): write `?` parameters; values
/// come back as ``SQLiteValue``s whichever the engine.
public final class Connection {
    enum Driver {
        case sqlite(SQLiteConnection)
        case postgres(PostgresSession)
    }

    let driver: Driver

    init(_ driver: Driver) {
        self.driver = driver
    }

    /// The engine behind this connection.
    public var dialect: SQLDialect {
        switch driver {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    func close() {
        switch driver {
        case .sqlite(let sqlite): sqlite.close()
        case .postgres(let postgres): postgres.close()
        }
    }

    // MARK: Scripts

    /// Executes one or more `;`-separated SQL statements without arguments (schema scripts,
    /// pragmas). Result rows are discarded. Stops at the first failing statement.
    ///
    /// On PostgreSQL the script is first rewritten by ``SQLDialect/schemaScript(_:)``, so
    /// migrations write SQLite's DDL once.
    public func execute(_ sql: String) throws {
        switch driver {
        case .sqlite(let sqlite): try sqlite.execute(sql)
        case .postgres(let postgres): try postgres.execute(SQLDialect.postgres.schemaScript(sql))
        }
    }

    // MARK: Statements (SQLite)

    /// Prepares exactly one statement. The caller owns it; it is finalized when released.
    ///
    /// SQLite only: on PostgreSQL it throws ``StoreError/unsupported(_:)``.
    public func prepare(_ sql: String) throws -> Statement {
        guard case .sqlite(let sqlite) = driver else { throw StoreError.unsupported("prepared Statement on PostgreSQL") }
        return try sqlite.prepare(sql)
    }

    /// Returns the connection's cached prepared statement for `sql`, preparing and caching it
    /// on first use. If that statement is currently being stepped (a nested use of the same
    /// SQL), a fresh uncached statement is returned instead.
    ///
    /// SQLite only: on PostgreSQL it throws ``StoreError/unsupported(_:)``.
    public func cachedStatement(_ sql: String) throws -> Statement {
        guard case .sqlite(let sqlite) = driver else { throw StoreError.unsupported("prepared Statement on PostgreSQL") }
        return try sqlite.cachedStatement(sql)
    }

    /// The number of statements in the cache (0 on PostgreSQL).
    public var cachedStatementCount: Int {
        guard case .sqlite(let sqlite) = driver else { return 0 }
        return sqlite.cachedStatementCount
    }

    // MARK: Running statements

    /// Executes one statement with arguments, discarding result rows.
    public func run(_ sql: String, _ bindings: SQLiteValue...) throws {
        try run(sql, bindings: bindings)
    }

    /// Executes one statement with `SQLiteBindable` arguments.
    @_disfavoredOverload
    public func run(_ sql: String, _ bindings: any SQLiteBindable...) throws {
        try run(sql, bindings: bindings.map(\.sqliteValue))
    }

    /// Executes one statement with an argument array.
    public func run(_ sql: String, bindings: [SQLiteValue]) throws {
        switch driver {
        case .sqlite(let sqlite): try sqlite.run(sql, bindings: bindings)
        case .postgres(let postgres): try postgres.query(sql, bindings: bindings)
        }
    }

    /// Runs a query and returns all rows.
    public func query(_ sql: String, _ bindings: SQLiteValue...) throws -> [Row] {
        try query(sql, bindings: bindings)
    }

    /// Runs a query with `SQLiteBindable` arguments and returns all rows.
    @_disfavoredOverload
    public func query(_ sql: String, _ bindings: any SQLiteBindable...) throws -> [Row] {
        try query(sql, bindings: bindings.map(\.sqliteValue))
    }

    /// Runs a query with an argument array and returns all rows.
    public func query(_ sql: String, bindings: [SQLiteValue]) throws -> [Row] {
        switch driver {
        case .sqlite(let sqlite): try sqlite.query(sql, bindings: bindings)
        case .postgres(let postgres): try postgres.query(sql, bindings: bindings)
        }
    }

    /// Runs a query and returns its first row, or `nil`.
    public func queryOne(_ sql: String, _ bindings: SQLiteValue...) throws -> Row? {
        try queryOne(sql, bindings: bindings)
    }

    /// Runs a query with `SQLiteBindable` arguments and returns its first row, or `nil`.
    @_disfavoredOverload
    public func queryOne(_ sql: String, _ bindings: any SQLiteBindable...) throws -> Row? {
        try queryOne(sql, bindings: bindings.map(\.sqliteValue))
    }

    /// Runs a query with an argument array and returns its first row, or `nil`.
    public func queryOne(_ sql: String, bindings: [SQLiteValue]) throws -> Row? {
        switch driver {
        case .sqlite(let sqlite): try sqlite.queryOne(sql, bindings: bindings)
        case .postgres(let postgres): try postgres.query(sql, bindings: bindings).first
        }
    }

    /// Streams the rows of a query to `body`; the ``RowCursor`` is valid only during each
    /// call. SQLite reads each row straight from the statement; PostgreSQL has them all
    /// already.
    public func forEachRow(_ sql: String, _ bindings: SQLiteValue..., body: (RowCursor) throws -> Void) throws {
        try forEachRow(sql, bindings: bindings, body: body)
    }

    /// Streams the rows of a query with `SQLiteBindable` arguments.
    @_disfavoredOverload
    public func forEachRow(_ sql: String, _ bindings: any SQLiteBindable..., body: (RowCursor) throws -> Void) throws {
        try forEachRow(sql, bindings: bindings.map(\.sqliteValue), body: body)
    }

    /// Streams the rows of a query with an argument array.
    public func forEachRow(_ sql: String, bindings: [SQLiteValue], body: (RowCursor) throws -> Void) throws {
        switch driver {
        case .sqlite(let sqlite): try sqlite.forEachRow(sql, bindings: bindings, body: body)
        case .postgres(let postgres):
            for row in try postgres.query(sql, bindings: bindings) { try body(RowCursor(row: row)) }
        }
    }

    // MARK: State

    /// The rowid of the most recent successful INSERT on this connection. SQLite only
    /// (0 on PostgreSQL): portable code uses `INSERT … RETURNING`.
    public var lastInsertRowID: Int64 {
        guard case .sqlite(let sqlite) = driver else { return 0 }
        return sqlite.lastInsertRowID
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
    public var changes: Int {
        switch driver {
        case .sqlite(let sqlite): sqlite.changes
        case .postgres(let postgres): postgres.changes
        }
    }

    /// Rows changed since the connection was opened.
    public var totalChanges: Int {
        switch driver {
        case .sqlite(let sqlite): sqlite.totalChanges
        case .postgres(let postgres): postgres.totalChanges
        }
    }

    /// `true` while a transaction is open on this connection.
    public var isInTransaction: Bool {
        switch driver {
        case .sqlite(let sqlite): sqlite.isInTransaction
        case .postgres(let postgres): postgres.isInTransaction
        }
    }

    // MARK: Transactions

    private var savepointDepth = 0

    /// Runs `body` inside a SAVEPOINT: its changes are rolled back if it throws, and kept
    /// (as part of the enclosing transaction) if it returns. Savepoints nest.
    public func inSavepoint<T>(_ body: () throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "bigshop_sp\(savepointDepth)"
        try runControl("SAVEPOINT \(name)")
        let value: T
        do {
            value = try body()
        } catch {
            if !rollbackToSavepoint(name) { rollbackIfNeeded() }
            throw error
        }
        try runControl("RELEASE \(name)")
        return value
    }

    /// The statement that opens a write transaction: SQLite takes the write lock at once;
    /// PostgreSQL runs it SERIALIZABLE, so concurrent writers behave as if one at a time
    /// (like SQLite's single writer), and a lost race fails with 40001, retried by
    /// ``Database``.
    var beginWrite: String {
        switch driver {
        case .sqlite: "BEGIN IMMEDIATE"
        case .postgres: "BEGIN ISOLATION LEVEL SERIALIZABLE"
        }
    }

    /// The statement that opens a read transaction on one consistent snapshot.
    var beginRead: String {
        switch driver {
        case .sqlite: "BEGIN DEFERRED"
        case .postgres: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        }
    }

    /// Runs `body` between `begin` and `COMMIT`, rolling back if `body` or the commit throws.
    func transaction<T>(begin: String, _ body: () throws -> T) throws -> T {
        try runControl(begin)
        let value: T
        do {
            value = try body()
            try runControl("COMMIT")
        } catch {
            rollbackIfNeeded()
            throw error
        }
        return value
    }

    /// Rolls back the open transaction, if the engine has not already done so.
    func rollbackIfNeeded() {
        switch driver {
        case .sqlite(let sqlite): sqlite.rollbackIfNeeded()
        case .postgres(let postgres):
            guard postgres.isInTransaction else { return }
            // A failed ROLLBACK means the connection is gone, and the transaction with it.
            if (try? postgres.runControl("ROLLBACK")) == nil { postgres.forgetTransaction() }
        }
    }

    /// Undoes and closes the savepoint `name`. Returns `false` if that was impossible; the
    /// caller must then treat the enclosing transaction as lost.
    @discardableResult
    func rollbackToSavepoint(_ name: String) -> Bool {
        switch driver {
        case .sqlite(let sqlite): return sqlite.rollbackToSavepoint(name)
        case .postgres(let postgres):
            guard postgres.isInTransaction else { return false }
            do {
                try postgres.runControl("ROLLBACK TO SAVEPOINT \(name)")
                try postgres.runControl("RELEASE SAVEPOINT \(name)")
                return true
            } catch {
                return false
            }
        }
    }

    /// Executes a transaction-control statement (no arguments).
    func runControl(_ sql: String) throws {
        switch driver {
        case .sqlite(let sqlite): try sqlite.runControl(sql)
        case .postgres(let postgres):
            do {
                try postgres.runControl(sql)
            } catch {
                // PostgreSQL ends the transaction when COMMIT fails.
                if sql == "COMMIT" { postgres.forgetTransaction() }
                throw error
            }
        }
    }
}
