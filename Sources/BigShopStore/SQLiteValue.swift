/// A value stored in, bound to, or read from SQLite, one case per SQLite storage class.
///
/// `SQLiteValue` conforms to the literal protocols so that statement arguments can be
/// written inline: `try conn.run("INSERT INTO t(a, b) VALUES (?, ?)", 42, "text")`.
///
/// - Note: SQLite stores a NaN `real` as NULL.
public enum SQLiteValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE 754 double.
    case real(Double)
    /// UTF-8 text. Embedded NUL characters are preserved.
    case text(String)
    /// Raw bytes. An empty array is stored as a zero-length blob, not NULL.
    case blob([UInt8])

    /// `true` when the value is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the storage class ("NULL", "INTEGER", "REAL", "TEXT", "BLOB"),
    /// used in error messages.
    public var storageClassName: String {
        switch self {
        case .null: return "NULL"
        case .integer: return "INTEGER"
        case .real: return "REAL"
        case .text: return "TEXT"
        case .blob: return "BLOB"
        }
    }
}

extension SQLiteValue: ExpressibleByNilLiteral {
    /// Creates `.null`.
    public init(nilLiteral: ()) { self = .null }
}

extension SQLiteValue: ExpressibleByIntegerLiteral {
    /// Creates `.integer`.
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension SQLiteValue: ExpressibleByFloatLiteral {
    /// Creates `.real`.
    public init(floatLiteral value: Double) { self = .real(value) }
}

extension SQLiteValue: ExpressibleByStringLiteral {
    /// Creates `.text`.
    public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLiteValue: ExpressibleByBooleanLiteral {
    /// Creates `.integer(1)` for `true` and `.integer(0)` for `false`.
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}

extension SQLiteValue: CustomStringConvertible {
    /// A debugging representation; blobs show their size only.
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let v): return "'\(v)'"
        case .blob(let v): return "<blob \(v.count) bytes>"
        }
    }
}
