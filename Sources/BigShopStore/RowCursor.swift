import CSQLite

/// The current row of a statement being stepped by `forEachRow`.
///
/// Reads columns straight from SQLite without materializing a ``Row``. Only valid inside
/// the `forEachRow` closure that received it; call ``row`` to keep a copy.
public struct RowCursor: RowReadable {
    private enum Source {
        /// SQLite: the statement being stepped.
        case statement(OpaquePointer)
        /// PostgreSQL: a row already received.
        case row(Row)
    }

    private let source: Source
    /// The result column names.
    public let columnNames: [String]

    init(handle: OpaquePointer, columnNames: [String]) {
        self.source = .statement(handle)
        self.columnNames = columnNames
    }

    init(row: Row) {
        self.source = .row(row)
        self.columnNames = row.columnNames
    }

    /// The number of columns.
    public var columnCount: Int { columnNames.count }

    /// The value at `index` (must be in range) of the current row.
    public func value(at index: Int) -> SQLiteValue {
        switch source {
        case .statement(let handle): Statement.value(handle, at: Int32(index))
        case .row(let row): row.values[index]
        }
    }

    /// A materialized copy of the current row.
    public var row: Row {
        switch source {
        case .statement(let handle): Row(columnNames: columnNames, values: Statement.values(handle, count: columnNames.count))
        case .row(let row): row
        }
    }
}
