/// A Swift type that can be bound to a statement parameter.
///
/// Conforming types: `Int`, `Int64`, `Int32`, `String`, `Bool`, `Double`, `[UInt8]`,
/// `SQLiteValue`, and `Optional` of any of them (`nil` binds NULL). Lets callers write
/// `try conn.run("UPDATE items SET stock = ? WHERE id = ?", stock, id)` with variables.
public protocol SQLiteBindable {
    /// The value that is bound to the statement parameter.
    var sqliteValue: SQLiteValue { get }
}

extension SQLiteValue: SQLiteBindable {
    /// The value itself.
    public var sqliteValue: SQLiteValue { self }
}

extension Int: SQLiteBindable {
    /// `.integer`.
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Int64: SQLiteBindable {
    /// `.integer`.
    public var sqliteValue: SQLiteValue { .integer(self) }
}

extension Int32: SQLiteBindable {
    /// `.integer`.
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Bool: SQLiteBindable {
    /// `.integer(1)` or `.integer(0)`.
    public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
}

extension Double: SQLiteBindable {
    /// `.real`.
    public var sqliteValue: SQLiteValue { .real(self) }
}

extension String: SQLiteBindable {
    /// `.text`.
    public var sqliteValue: SQLiteValue { .text(self) }
}

extension Array: SQLiteBindable where Element == UInt8 {
    /// `.blob`.
    public var sqliteValue: SQLiteValue { .blob(self) }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    /// The wrapped value's `sqliteValue`, or `.null`.
    public var sqliteValue: SQLiteValue {
        switch self {
        case .none: return .null
        case .some(let wrapped): return wrapped.sqliteValue
        }
    }
}
