/// Errors raised by the typed getters of ``Row`` and ``RowCursor``.
public enum RowDecodingError: Error, Sendable, Hashable {
    /// The column holds a value of another storage class than the one requested.
    case typeMismatch(column: String, index: Int, expected: String, found: SQLiteValue)
    /// The column is NULL but a non-optional getter was used.
    case unexpectedNull(column: String, index: Int, expected: String)
    /// No column has this name (`available` lists the row's columns).
    case noSuchColumn(name: String, available: [String])
    /// The index is outside `0..<columnCount`.
    case indexOutOfRange(index: Int, columnCount: Int)
    /// An integer does not fit the requested Swift integer type.
    case integerOverflow(column: String, index: Int, value: Int64, expected: String)
}

extension RowDecodingError: CustomStringConvertible {
    /// A human-readable explanation naming the column.
    public var description: String {
        switch self {
        case .typeMismatch(let column, let index, let expected, let found):
            return "Column '\(column)' (#\(index)) holds \(found.storageClassName) \(found), expected \(expected)."
        case .unexpectedNull(let column, let index, let expected):
            return "Column '\(column)' (#\(index)) is NULL, expected \(expected); use the optional getter."
        case .noSuchColumn(let name, let available):
            return "No column named '\(name)'; columns are \(available)."
        case .indexOutOfRange(let index, let count):
            return "Column index \(index) is out of range; the row has \(count) column(s)."
        case .integerOverflow(let column, let index, let value, let expected):
            return "Column '\(column)' (#\(index)) value \(value) does not fit \(expected)."
        }
    }
}
