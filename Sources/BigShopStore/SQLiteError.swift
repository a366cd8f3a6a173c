import CSQLite

/// An error reported by SQLite.
///
/// Carries the primary result code (`code`, e.g. `SQLITE_CONSTRAINT` = 19), the extended
/// result code (`extendedCode`, e.g. `SQLITE_CONSTRAINT_UNIQUE` = 2067), SQLite's message,
/// and the SQL text of the statement that failed when there is one.
public struct SQLiteError: Error, Sendable, Hashable {
    /// The primary result code (the low 8 bits of `extendedCode`).
    public let code: Int32
    /// The extended result code.
    public let extendedCode: Int32
    /// SQLite's error message.
    public let message: String
    /// The SQL that was being prepared or executed, if any.
    public let sql: String?

    /// Creates an error from its parts.
    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.code = extendedCode & 0xFF
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// Reads the error state of a connection handle after a failed call that returned `resultCode`.
    init(resultCode: Int32, connection handle: OpaquePointer?, sql: String?) {
        var extended = resultCode
        var message: String
        if let handle {
            let reported = sqlite3_extended_errcode(handle)
            // The handle's error state belongs to the last failed API call; prefer it when it
            // refines the code we got, else keep the code we were handed.
            if reported & 0xFF == resultCode & 0xFF { extended = reported }
            message = String(cString: sqlite3_errmsg(handle))
        } else {
            message = String(cString: sqlite3_errstr(resultCode))
        }
        if message.isEmpty { message = String(cString: sqlite3_errstr(extended)) }
        self.init(extendedCode: extended, message: message, sql: sql)
    }

    /// `true` for any `SQLITE_CONSTRAINT` failure (unique, primary key, foreign key, check, not null...).
    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }

    /// `true` for a UNIQUE or PRIMARY KEY constraint failure.
    public var isUniqueViolation: Bool {
        extendedCode == SQLiteError.constraintUnique || extendedCode == SQLiteError.constraintPrimaryKey
    }

    /// `true` for a FOREIGN KEY constraint failure.
    public var isForeignKeyViolation: Bool { extendedCode == SQLiteError.constraintForeignKey }

    /// `true` when the database file was locked by another connection for longer than the
    /// busy timeout (`SQLITE_BUSY`).
    public var isBusy: Bool { code == SQLITE_BUSY }

    // Extended codes spelled out: SQLite defines them as macros built from shifts.
    static let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)
    static let constraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)
    static let constraintForeignKey: Int32 = SQLITE_CONSTRAINT | (3 << 8)
}

extension SQLiteError: CustomStringConvertible {
    /// `SQLite error 19/2067: UNIQUE constraint failed: t.id (SQL: INSERT ...)`.
    public var description: String {
        var text = "SQLite error \(code)/\(extendedCode): \(message)"
        if let sql { text += " (SQL: \(sql))" }
        return text
    }
}
