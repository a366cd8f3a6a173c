/// A materialized result row: column names plus values. Immutable, `Sendable`, and safe
/// to return from a ``Database/read(_:)`` body.
///
/// Read it with the typed getters of ``RowReadable``: `try row.int64("stock")`,
/// `try row.string(0)`, `try row.optionalString("note")`.
public struct Row: RowReadable, Sendable, Hashable {
    /// The column names, in order. Shared (copy-on-write) by all rows of one query.
    public let columnNames: [String]
    /// The values, in column order.
    public let values: [SQLiteValue]

    /// Creates a row. `columnNames` and `values` must have the same count.
    public init(columnNames: [String], values: [SQLiteValue]) {
        precondition(columnNames.count == values.count, "Row needs one value per column")
        self.columnNames = columnNames
        self.values = values
    }

    /// The number of columns.
    public var columnCount: Int { values.count }

    /// The value at `index` (must be in range).
    public func value(at index: Int) -> SQLiteValue { values[index] }

    /// The value at `index` (must be in range).
    public subscript(index: Int) -> SQLiteValue { values[index] }

    /// The value of the column called `name`, or `nil` if there is no such column.
    public subscript(name: String) -> SQLiteValue? {
        columnIndex(named: name).map { values[$0] }
    }
}

extension Row: CustomStringConvertible {
    /// `[id: 1, name: 'x']`.
    public var description: String {
        "[" + zip(columnNames, values).map { "\($0): \($1)" }.joined(separator: ", ") + "]"
    }
}
