import CSQLite

/// The current row of a statement being stepped by `forEachRow`.
///
/// Reads columns straight from SQLite without materializing a ``Row``. Only valid inside
/// the `forEachRow` closure that received it; call ``row`` to keep a copy.
public struct RowCursor: RowReadable {
    private let handle: OpaquePointer
    /// The result column names.
    public let columnNames: [String]

    init(handle: OpaquePointer, columnNames: [String]) {
        self.handle = handle
        self.columnNames = columnNames
    }

    /// The number of columns.
    public var columnCount: Int { columnNames.count }

    /// The value at `index` (must be in range) of the current row.
    public func value(at index: Int) -> SQLiteValue {
        Statement.value(handle, at: Int32(index))
    }

    /// A materialized copy of the current row.
    public var row: Row {
        Row(columnNames: columnNames, values: Statement.values(handle, count: columnNames.count))
    }
}
