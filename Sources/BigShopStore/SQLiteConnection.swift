import CSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One SQLite connection, confined to the database thread that opened it: the SQLite
/// driver behind a ``Connection``. Deliberately not `Sendable`.
final class SQLiteConnection {
    let handle: OpaquePointer
    private let cache: StatementCache
    /// Transaction-control statements (BEGIN, COMMIT, SAVEPOINT...), kept apart from the
    /// LRU cache so that they never evict, or get evicted by, application statements.
    private var controlStatements: [String: Statement] = [:]
    private let ownerThread: pthread_t
    private var isClosed = false

    private init(handle: OpaquePointer, cacheCapacity: Int) {
        self.handle = handle
        self.cache = StatementCache(capacity: cacheCapacity)
        self.ownerThread = pthread_self()
    }

    deinit {
        close()
    }

    /// Opens and configures a connection on the calling (database) thread.
    ///
    /// The writer creates the file (with ``DatabaseConfiguration/filePermissions``), enables
    /// WAL and sets `synchronous`; readers are opened afterwards and are made read-only with
    /// `PRAGMA query_only`.
    static func open(path: String, isWriter: Bool, configuration: DatabaseConfiguration) throws -> SQLiteConnection {
        if isWriter, let permissions = configuration.filePermissions {
            try DatabaseFiles.secure(path: path, permissions: permissions)
        }
        var db: OpaquePointer?
        let flags =
            (isWriter ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE)
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error = SQLiteError(resultCode: rc, connection: db, sql: nil)
            sqlite3_close_v2(db)
            throw error
        }
        let connection = SQLiteConnection(handle: db, cacheCapacity: configuration.statementCacheCapacity)
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, configuration.busyTimeoutMilliseconds)
        if isWriter {
            let mode = try connection.prepare("PRAGMA journal_mode=WAL").queryOne()?.optionalString(0) ?? ""
            guard mode.lowercased() == "wal" else { throw StoreError.walUnavailable(journalMode: mode) }
            try connection.execute("PRAGMA synchronous=\(configuration.synchronous.rawValue)")
        }
        try connection.execute("PRAGMA foreign_keys=ON")
        if !isWriter {
            try connection.execute("PRAGMA query_only=ON")
        }
        return connection
    }

    /// Finalizes cached statements and closes the connection. Statements still held by a
    /// caller keep the handle alive (`sqlite3_close_v2`) until they are released.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        cache.finalizeAll()
        for statement in controlStatements.values { statement.finalize() }
        controlStatements.removeAll()
        sqlite3_close_v2(handle)
    }

    // MARK: Scripts

    /// Executes one or more `;`-separated SQL statements without arguments (schema scripts,
    /// pragmas). Result rows are discarded. Stops at the first failing statement.
    func execute(_ sql: String) throws {
        assertOwnerThread()
        try sql.withCString { start in
            var next: UnsafePointer<CChar>? = start
            while let current = next, current.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let rc = sqlite3_prepare_v2(handle, current, -1, &statement, &tail)
                guard rc == SQLITE_OK else {
                    throw SQLiteError(resultCode: rc, connection: handle, sql: String(cString: current))
                }
                next = tail
                guard let statement else { continue }  // whitespace or comment only
                defer { sqlite3_finalize(statement) }
                var stepResult: Int32
                repeat {
                    stepResult = sqlite3_step(statement)
                } while stepResult == SQLITE_ROW
                guard stepResult == SQLITE_DONE else {
                    let text = sqlite3_sql(statement).map { String(cString: $0) }
                    throw SQLiteError(resultCode: stepResult, connection: handle, sql: text)
                }
            }
        }
    }

    // MARK: Statements

    /// Prepares exactly one statement. The caller owns it; it is finalized when released.
    func prepare(_ sql: String) throws -> Statement {
        assertOwnerThread()
        return try Statement(database: handle, sql: sql, persistent: false)
    }

    /// Returns the connection's cached prepared statement for `sql`, preparing and caching it
    /// on first use. If that statement is currently being stepped (a nested use of the same
    /// SQL), a fresh uncached statement is returned instead.
    func cachedStatement(_ sql: String) throws -> Statement {
        assertOwnerThread()
        if let cached = cache.statement(for: sql) {
            if !cached.isExecuting { return cached }
            return try Statement(database: handle, sql: sql, persistent: false)
        }
        let statement = try Statement(database: handle, sql: sql, persistent: true)
        cache.insert(statement)
        return statement
    }

    /// The number of statements in the cache.
    var cachedStatementCount: Int { cache.count }

    // MARK: Convenience execution (cached statements)

    /// Executes one statement (cached) with an argument array.
    func run(_ sql: String, bindings: [SQLiteValue]) throws {
        try cachedStatement(sql).run(bindings: bindings)
    }

    /// Runs a query with an argument array and returns all rows.
    func query(_ sql: String, bindings: [SQLiteValue]) throws -> [Row] {
        try cachedStatement(sql).query(bindings: bindings)
    }

    /// Runs a query with an argument array and returns its first row, or `nil`.
    func queryOne(_ sql: String, bindings: [SQLiteValue]) throws -> Row? {
        try cachedStatement(sql).queryOne(bindings: bindings)
    }

    /// Streams the rows of a query to `body` without materializing them; the ``RowCursor``

    /// Streams the rows of a query with an argument array.
    func forEachRow(_ sql: String, bindings: [SQLiteValue], body: (RowCursor) throws -> Void) throws {
        try cachedStatement(sql).forEachRow(bindings: bindings, body: body)
    }

    // MARK: State

    /// The rowid of the most recent successful INSERT on this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
    var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Rows changed since the connection was opened.
    var totalChanges: Int { Int(sqlite3_total_changes64(handle)) }

    /// `true` while a transaction is open on this connection.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: Transactions

    /// Rolls back the open transaction, if SQLite has not already done so.
    func rollbackIfNeeded() {
        guard isInTransaction else { return }
        do {
            try runControl("ROLLBACK")
        } catch {
            // ROLLBACK can only fail if no transaction is open or the connection is unusable;
            // in both cases there is nothing left to undo.
        }
    }

    /// Undoes and closes the savepoint `name`. Returns `false` if that was impossible: SQLite
    /// already rolled back the whole transaction, or the savepoint does not exist. The caller
    /// must then treat the enclosing transaction as lost.
    @discardableResult
    func rollbackToSavepoint(_ name: String) -> Bool {
        guard isInTransaction else { return false }
        do {
            try runControl("ROLLBACK TO \(name)")
            try runControl("RELEASE \(name)")
            return true
        } catch {
            return false
        }
    }

    /// Executes a transaction-control statement (no arguments) from the control cache.
    func runControl(_ sql: String) throws {
        if let statement = controlStatements[sql] {
            try statement.run(bindings: [])
            return
        }
        assertOwnerThread()
        let statement = try Statement(database: handle, sql: sql, persistent: true)
        controlStatements[sql] = statement
        try statement.run(bindings: [])
    }

    private func assertOwnerThread() {
        assert(pthread_equal(ownerThread, pthread_self()) != 0, "Connection used outside its database thread")
    }
}
