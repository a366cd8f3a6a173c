/// Column access shared by ``Row`` (a materialized row) and ``RowCursor`` (the current row
/// of a statement being stepped).
///
/// Typed getters come in two flavours, by index (`row.string(0)`) and by column name
/// (`row.int64("stock")`, exact match first, then case-insensitive like SQL). Non-optional
/// getters throw ``RowDecodingError/unexpectedNull(column:index:expected:)`` for NULL; the
/// `optional...` getters return `nil` for NULL. Any other storage class than the requested
/// one throws ``RowDecodingError/typeMismatch(column:index:expected:found:)``, with one
/// widening: `double` accepts INTEGER values.
///
/// The getters are `@inlinable` so that decoding loops in client modules are specialized for
/// the concrete row type; only error construction stays out of line.
public protocol RowReadable {
    /// The number of columns.
    var columnCount: Int { get }
    /// The column names, in order.
    var columnNames: [String] { get }
    /// The value at `index`, which must be in `0..<columnCount`.
    func value(at index: Int) -> SQLiteValue
}

extension RowReadable {
    /// The index of the first column called `name` (exact match first, then
    /// case-insensitive), or `nil`.
    @inlinable
    public func columnIndex(named name: String) -> Int? {
        if let exact = columnNames.firstIndex(of: name) { return exact }
        return caseInsensitiveColumnIndex(name)
    }

    /// The value at `index`, throwing for an out-of-range index.
    @inlinable
    public func value(_ index: Int) throws -> SQLiteValue { try value(at: checkedIndex(index)) }

    /// The value of the column called `name`.
    @inlinable
    public func value(_ name: String) throws -> SQLiteValue { try value(at: resolvedIndex(name)) }

    /// `true` if the column at `index` is NULL.
    @inlinable
    public func isNull(_ index: Int) throws -> Bool { try value(index).isNull }

    /// `true` if the column called `name` is NULL.
    @inlinable
    public func isNull(_ name: String) throws -> Bool { try value(name).isNull }

    // MARK: Int64

    /// The INTEGER at `index`.
    @inlinable
    public func int64(_ index: Int) throws -> Int64 {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .integer(let v): return v
        default: throw decodingError(at: index, expected: "INTEGER")
        }
    }

    /// The INTEGER in column `name`.
    @inlinable
    public func int64(_ name: String) throws -> Int64 { try int64(resolvedIndex(name)) }

    /// The INTEGER at `index`, or `nil` for NULL.
    @inlinable
    public func optionalInt64(_ index: Int) throws -> Int64? {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .integer(let v): return v
        case .null: return nil
        default: throw decodingError(at: index, expected: "INTEGER")
        }
    }

    /// The INTEGER in column `name`, or `nil` for NULL.
    @inlinable
    public func optionalInt64(_ name: String) throws -> Int64? { try optionalInt64(resolvedIndex(name)) }

    // MARK: Int

    /// The INTEGER at `index` as `Int`.
    @inlinable
    public func int(_ index: Int) throws -> Int {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .integer(let v): return Int(v)
        default: throw decodingError(at: index, expected: "INTEGER")
        }
    }

    /// The INTEGER in column `name` as `Int`.
    @inlinable
    public func int(_ name: String) throws -> Int { try int(resolvedIndex(name)) }

    /// The INTEGER at `index` as `Int`, or `nil` for NULL.
    @inlinable
    public func optionalInt(_ index: Int) throws -> Int? {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .integer(let v): return Int(v)
        case .null: return nil
        default: throw decodingError(at: index, expected: "INTEGER")
        }
    }

    /// The INTEGER in column `name` as `Int`, or `nil` for NULL.
    @inlinable
    public func optionalInt(_ name: String) throws -> Int? { try optionalInt(resolvedIndex(name)) }

    // MARK: Double

    /// The REAL (or INTEGER, converted) at `index`.
    @inlinable
    public func double(_ index: Int) throws -> Double {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: throw decodingError(at: index, expected: "REAL")
        }
    }

    /// The REAL (or INTEGER, converted) in column `name`.
    @inlinable
    public func double(_ name: String) throws -> Double { try double(resolvedIndex(name)) }

    /// The REAL (or INTEGER, converted) at `index`, or `nil` for NULL.
    @inlinable
    public func optionalDouble(_ index: Int) throws -> Double? {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        case .null: return nil
        default: throw decodingError(at: index, expected: "REAL")
        }
    }

    /// The REAL (or INTEGER, converted) in column `name`, or `nil` for NULL.
    @inlinable
    public func optionalDouble(_ name: String) throws -> Double? { try optionalDouble(resolvedIndex(name)) }

    // MARK: String

    /// The TEXT at `index`.
    @inlinable
    public func string(_ index: Int) throws -> String {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .text(let v): return v
        default: throw decodingError(at: index, expected: "TEXT")
        }
    }

    /// The TEXT in column `name`.
    @inlinable
    public func string(_ name: String) throws -> String { try string(resolvedIndex(name)) }

    /// The TEXT at `index`, or `nil` for NULL.
    @inlinable
    public func optionalString(_ index: Int) throws -> String? {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .text(let v): return v
        case .null: return nil
        default: throw decodingError(at: index, expected: "TEXT")
        }
    }

    /// The TEXT in column `name`, or `nil` for NULL.
    @inlinable
    public func optionalString(_ name: String) throws -> String? { try optionalString(resolvedIndex(name)) }

    // MARK: Bool

    /// The INTEGER at `index` as a `Bool` (non-zero is `true`).
    @inlinable
    public func bool(_ index: Int) throws -> Bool {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .integer(let v): return v != 0
        default: throw decodingError(at: index, expected: "INTEGER (boolean)")
        }
    }

    /// The INTEGER in column `name` as a `Bool` (non-zero is `true`).
    @inlinable
    public func bool(_ name: String) throws -> Bool { try bool(resolvedIndex(name)) }

    /// The INTEGER at `index` as a `Bool` (non-zero is `true`), or `nil` for NULL.
    @inlinable
    public func optionalBool(_ index: Int) throws -> Bool? {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .integer(let v): return v != 0
        case .null: return nil
        default: throw decodingError(at: index, expected: "INTEGER (boolean)")
        }
    }

    /// The INTEGER in column `name` as a `Bool` (non-zero is `true`), or `nil` for NULL.
    @inlinable
    public func optionalBool(_ name: String) throws -> Bool? { try optionalBool(resolvedIndex(name)) }

    // MARK: [UInt8]

    /// The BLOB at `index`.
    @inlinable
    public func blob(_ index: Int) throws -> [UInt8] {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .blob(let v): return v
        default: throw decodingError(at: index, expected: "BLOB")
        }
    }

    /// The BLOB in column `name`.
    @inlinable
    public func blob(_ name: String) throws -> [UInt8] { try blob(resolvedIndex(name)) }

    /// The BLOB at `index`, or `nil` for NULL.
    @inlinable
    public func optionalBlob(_ index: Int) throws -> [UInt8]? {
        let index = try checkedIndex(index)
        switch value(at: index) {
        case .blob(let v): return v
        case .null: return nil
        default: throw decodingError(at: index, expected: "BLOB")
        }
    }

    /// The BLOB in column `name`, or `nil` for NULL.
    @inlinable
    public func optionalBlob(_ name: String) throws -> [UInt8]? { try optionalBlob(resolvedIndex(name)) }

    // MARK: Int32

    /// The INTEGER at `index` as `Int32`; throws if it does not fit.
    @inlinable
    public func int32(_ index: Int) throws -> Int32 {
        let wide = try int64(index)
        guard let narrow = Int32(exactly: wide) else { throw overflowError(at: index, value: wide, expected: "Int32") }
        return narrow
    }

    /// The INTEGER in column `name` as `Int32`; throws if it does not fit.
    @inlinable
    public func int32(_ name: String) throws -> Int32 { try int32(resolvedIndex(name)) }

    // MARK: Helpers (errors are built out of line)

    @inlinable
    func checkedIndex(_ index: Int) throws -> Int {
        guard index >= 0 && index < columnCount else { throw indexError(index) }
        return index
    }

    @inlinable
    func resolvedIndex(_ name: String) throws -> Int {
        guard let index = columnIndex(named: name) else { throw nameError(name) }
        return index
    }

    @usableFromInline
    func caseInsensitiveColumnIndex(_ name: String) -> Int? {
        let lowered = name.lowercased()
        return columnNames.firstIndex { $0.lowercased() == lowered }
    }

    @usableFromInline
    func indexError(_ index: Int) -> RowDecodingError {
        .indexOutOfRange(index: index, columnCount: columnCount)
    }

    @usableFromInline
    func nameError(_ name: String) -> RowDecodingError {
        .noSuchColumn(name: name, available: columnNames)
    }

    @usableFromInline
    func decodingError(at index: Int, expected: String) -> RowDecodingError {
        let found = value(at: index)
        if found.isNull {
            return .unexpectedNull(column: columnName(index), index: index, expected: expected)
        }
        return .typeMismatch(column: columnName(index), index: index, expected: expected, found: found)
    }

    @usableFromInline
    func overflowError(at index: Int, value: Int64, expected: String) -> RowDecodingError {
        .integerOverflow(column: columnName(index), index: index, value: value, expected: expected)
    }

    private func columnName(_ index: Int) -> String {
        let names = columnNames
        return index < names.count ? names[index] : "#\(index)"
    }
}
