import CSQLite

/// `SQLITE_TRANSIENT`: tells SQLite to copy bound text and blobs (the macro is not imported).
let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A prepared SQL statement belonging to one ``Connection``.
///
/// Get one with ``Connection/prepare(_:)`` (owned by the caller, finalized when released) or
/// ``Connection/cachedStatement(_:)`` (owned by the connection's cache). Like its connection it
/// is confined to the database thread and must not outlive the `read`/`write` body that
/// obtained it. Every execution binds all parameters anew (the argument count must match the
/// statement's parameter count) and resets the statement when done, so no read transaction
/// is left open by a partially stepped query.
public final class Statement {
    /// The SQL text the statement was prepared from.
    public let sql: String
    /// The number of `?`/`:name` parameters.
    public let parameterCount: Int

    private(set) var handle: OpaquePointer?
    private let databaseHandle: OpaquePointer
    /// `true` while the statement is being stepped; the statement cache hands out a fresh
    /// statement instead of a busy one (e.g. the same query nested inside `forEachRow`).
    private(set) var isExecuting = false
    /// Result column names, cached until SQLite re-prepares the statement after a schema
    /// change (tracked by `SQLITE_STMTSTATUS_REPREPARE`).
    private var cachedColumnNames: [String] = []
    private var cachedNamesReprepareCount: Int32 = -1

    init(database: OpaquePointer, sql: String, persistent: Bool) throws {
        self.databaseHandle = database
        self.sql = sql
        var statement: OpaquePointer?
        let flags: UInt32 = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let trailing: String? = try sql.withCString { start -> String? in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(database, start, -1, flags, &statement, &tail)
            guard rc == SQLITE_OK else {
                throw SQLiteError(resultCode: rc, connection: database, sql: sql)
            }
            guard let tail, tail.pointee != 0 else { return nil }
            return String(cString: tail)
        }
        guard let statement else {
            throw StoreError.emptyStatement(sql: sql)
        }
        self.handle = statement
        self.parameterCount = Int(sqlite3_bind_parameter_count(statement))
        if let trailing, Statement.containsStatement(trailing, database: database) {
            sqlite3_finalize(statement)
            self.handle = nil
            throw SQLiteError(
                extendedCode: SQLITE_MISUSE,
                message: "prepare() takes exactly one statement; use execute() for scripts",
                sql: sql)
        }
    }

    deinit {
        finalize()
    }

    /// Finalizes the SQLite statement; later use throws ``StoreError/statementFinalized(sql:)``.
    func finalize() {
        if let handle {
            sqlite3_finalize(handle)
            self.handle = nil
        }
    }

    /// The number of result columns (0 for statements that return no rows).
    public var columnCount: Int {
        handle.map { Int(sqlite3_column_count($0)) } ?? 0
    }

    /// The result column names.
    public var columnNames: [String] {
        handle.map(resultColumnNames) ?? []
    }

    /// `true` if the statement does not write to the database.
    public var isReadOnly: Bool {
        handle.map { sqlite3_stmt_readonly($0) != 0 } ?? true
    }

    // MARK: Execution

    /// Executes the statement to completion, discarding any result rows.
    public func run(_ bindings: SQLiteValue...) throws {
        try run(bindings: bindings)
    }

    /// Executes the statement to completion with `SQLiteBindable` arguments.
    @_disfavoredOverload
    public func run(_ bindings: any SQLiteBindable...) throws {
        try run(bindings: bindings.map(\.sqliteValue))
    }

    /// Executes the statement to completion with an argument array.
    public func run(bindings: [SQLiteValue]) throws {
        try withExecution(bindings) { handle in
            while try step(handle) {}
        }
    }

    /// Executes the statement and returns all result rows.
    public func query(_ bindings: SQLiteValue...) throws -> [Row] {
        try query(bindings: bindings)
    }

    /// Executes the statement with `SQLiteBindable` arguments and returns all rows.
    @_disfavoredOverload
    public func query(_ bindings: any SQLiteBindable...) throws -> [Row] {
        try query(bindings: bindings.map(\.sqliteValue))
    }

    /// Executes the statement with an argument array and returns all rows.
    public func query(bindings: [SQLiteValue]) throws -> [Row] {
        try withExecution(bindings) { handle in
            var rows: [Row] = []
            guard try step(handle) else { return rows }
            // Names are read after the first step, which may have re-prepared the statement.
            let names = resultColumnNames(handle)
            repeat {
                rows.append(Row(columnNames: names, values: Statement.values(handle, count: names.count)))
            } while try step(handle)
            return rows
        }
    }

    /// Executes the statement and returns the first row, or `nil` when there is none.
    public func queryOne(_ bindings: SQLiteValue...) throws -> Row? {
        try queryOne(bindings: bindings)
    }

    /// Executes the statement with `SQLiteBindable` arguments and returns the first row.
    @_disfavoredOverload
    public func queryOne(_ bindings: any SQLiteBindable...) throws -> Row? {
        try queryOne(bindings: bindings.map(\.sqliteValue))
    }

    /// Executes the statement with an argument array and returns the first row.
    public func queryOne(bindings: [SQLiteValue]) throws -> Row? {
        try withExecution(bindings) { handle in
            guard try step(handle) else { return nil }
            let names = resultColumnNames(handle)
            return Row(columnNames: names, values: Statement.values(handle, count: names.count))
        }
    }

    /// Executes the statement and calls `body` for each row without materializing the
    /// result set. The ``RowCursor`` is only valid during the call; throw to stop early.
    public func forEachRow(_ bindings: SQLiteValue..., body: (RowCursor) throws -> Void) throws {
        try forEachRow(bindings: bindings, body: body)
    }

    /// Streams rows, with `SQLiteBindable` arguments.
    @_disfavoredOverload
    public func forEachRow(_ bindings: any SQLiteBindable..., body: (RowCursor) throws -> Void) throws {
        try forEachRow(bindings: bindings.map(\.sqliteValue), body: body)
    }

    /// Streams rows, with an argument array.
    public func forEachRow(bindings: [SQLiteValue], body: (RowCursor) throws -> Void) throws {
        try withExecution(bindings) { handle in
            guard try step(handle) else { return }
            let cursor = RowCursor(handle: handle, columnNames: resultColumnNames(handle))
            repeat {
                try body(cursor)
            } while try step(handle)
        }
    }

    // MARK: Internals

    private func withExecution<R>(_ bindings: [SQLiteValue], _ body: (OpaquePointer) throws -> R) throws -> R {
        guard let handle else { throw StoreError.statementFinalized(sql: sql) }
        isExecuting = true
        defer {
            sqlite3_reset(handle)
            isExecuting = false
        }
        try bind(bindings, to: handle)
        return try body(handle)
    }

    private func bind(_ bindings: [SQLiteValue], to handle: OpaquePointer) throws {
        guard bindings.count == parameterCount else {
            throw StoreError.bindingCountMismatch(sql: sql, expected: parameterCount, got: bindings.count)
        }
        for (offset, value) in bindings.enumerated() {
            let rc = Statement.bind(value, at: Int32(offset + 1), to: handle)
            guard rc == SQLITE_OK else {
                throw SQLiteError(resultCode: rc, connection: databaseHandle, sql: sql)
            }
        }
    }

    private func step(_ handle: OpaquePointer) throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        case let rc:
            throw SQLiteError(resultCode: rc, connection: databaseHandle, sql: sql)
        }
    }

    static func bind(_ value: SQLiteValue, at index: Int32, to handle: OpaquePointer) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case .integer(let v):
            return sqlite3_bind_int64(handle, index, v)
        case .real(let v):
            return sqlite3_bind_double(handle, index, v)
        case .text(let text):
            var text = text
            return text.withUTF8 { buffer in
                guard let base = buffer.baseAddress, buffer.count > 0 else {
                    return sqlite3_bind_text(handle, index, "", 0, sqliteTransient)
                }
                return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { chars in
                    sqlite3_bind_text64(handle, index, chars, UInt64(buffer.count), sqliteTransient, UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let bytes):
            // A NULL pointer would bind SQL NULL, so an empty blob is bound as a zeroblob.
            guard !bytes.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return bytes.withUnsafeBytes { raw in
                sqlite3_bind_blob64(handle, index, raw.baseAddress, UInt64(raw.count), sqliteTransient)
            }
        }
    }

    static func value(_ handle: OpaquePointer, at column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            // sqlite3_column_text must be called before sqlite3_column_bytes.
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let bytes = sqlite3_column_blob(handle, column)
            let count = Int(sqlite3_column_bytes(handle, column))
            guard let bytes, count > 0 else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }

    static func values(_ handle: OpaquePointer, count: Int) -> [SQLiteValue] {
        (0..<count).map { value(handle, at: Int32($0)) }
    }

    private func resultColumnNames(_ handle: OpaquePointer) -> [String] {
        let reprepares = sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 0)
        if reprepares != cachedNamesReprepareCount {
            cachedColumnNames = Statement.columnNames(handle)
            cachedNamesReprepareCount = reprepares
        }
        return cachedColumnNames
    }

    static func columnNames(_ handle: OpaquePointer) -> [String] {
        (0..<sqlite3_column_count(handle)).map { column in
            sqlite3_column_name(handle, column).map { String(cString: $0) } ?? ""
        }
    }

    /// `true` if `sql` holds at least one statement (not just whitespace or comments).
    private static func containsStatement(_ sql: String, database: OpaquePointer) -> Bool {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(database, sql, -1, &statement, nil)
        defer { sqlite3_finalize(statement) }
        guard rc == SQLITE_OK else { return true }
        return statement != nil
    }
}
