import Foundation
import Testing

@testable import BigShopStore

@Suite("Bindings and rows", .timeLimit(.minutes(2)))
struct BindingTests {
    static let values: [SQLiteValue] = [
        .null,
        .integer(0), .integer(-1), .integer(1), .integer(Int64.min), .integer(Int64.max),
        .real(0), .real(-0.5), .real(3.141592653589793), .real(.greatestFiniteMagnitude),
        .real(.leastNonzeroMagnitude), .real(-.infinity), .real(.infinity),
        .text(""), .text("plain ascii"), .text("héllo wörld – 日本語 – مرحبا – 🛒🎉👩‍👩‍👧"),
        .text("e\u{301} vs é"), .text("nul\u{0}inside\u{0}"), .text(String(repeating: "long ", count: 20_000)),
        .blob([]), .blob([0]), .blob([0, 0, 0]), .blob([0x00, 0xFF, 0x00, 0x7F, 0x80, 0x00]),
        .blob((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }),
    ]

    @Test func everyValueRoundTrips() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let values = Self.values
            let stored = try await db.write { conn -> [Row] in
                // No declared type: the column has no affinity and keeps values as bound.
                try conn.execute("CREATE TABLE v(id INTEGER PRIMARY KEY, x)")
                for value in values {
                    try conn.run("INSERT INTO v(x) VALUES (?)", value)
                }
                return try conn.query("SELECT x, typeof(x) AS type, length(CAST(x AS BLOB)) AS bytes FROM v ORDER BY id")
            }
            #expect(stored.count == values.count)
            for (row, expected) in zip(stored, values) {
                #expect(row[0] == expected)
                #expect(try row.string("type") == expected.storageClassName.lowercased())
                if case .text(let text) = expected {
                    #expect(try row.int("bytes") == text.utf8.count)  // NUL bytes included
                }
                if case .blob(let bytes) = expected {
                    #expect(try row.int("bytes") == bytes.count)
                }
            }
            // Streaming reads the same values as materialized rows.
            let streamed = try await db.read { conn -> [SQLiteValue] in
                var out: [SQLiteValue] = []
                try conn.forEachRow("SELECT x FROM v ORDER BY id") { out.append($0.value(at: 0)) }
                return out
            }
            #expect(streamed == values)
            await db.close()
        }
    }

    @Test func nanIsStoredAsNull() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let value = try await db.write { conn in
                try conn.execute("CREATE TABLE v(x)")
                try conn.run("INSERT INTO v VALUES (?)", .real(.nan))
                return try conn.queryOne("SELECT x FROM v")![0]
            }
            #expect(value == .null)
            await db.close()
        }
    }

    @Test func bindableSwiftTypesRoundTrip() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let int = Int.min
            let int64 = Int64.max
            let int32 = Int32.min
            let string = "ünïcødé \u{0} ✓"
            let bool = true
            let bytes: [UInt8] = [0, 1, 0, 255]
            let double = -1.25e-300
            let none: String? = nil
            let some: Int? = 7
            let row = try await db.write { conn in
                try conn.execute("CREATE TABLE t(a INTEGER, b INTEGER, c INTEGER, d TEXT, e INTEGER, f BLOB, g REAL, h TEXT, i INTEGER)")
                try conn.run(
                    "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    int, int64, int32, string, bool, bytes, double, none, some)
                return try conn.queryOne("SELECT * FROM t")!
            }
            #expect(try row.int("a") == int)
            #expect(try row.int64("b") == int64)
            #expect(try row.int32("c") == int32)
            #expect(try row.string("d") == string)
            #expect(try row.bool("e") == bool)
            #expect(try row.blob("f") == bytes)
            #expect(try row.double("g") == double)
            #expect(try row.optionalString("h") == nil)
            #expect(try row.optionalInt("i") == 7)
            #expect(try row.optionalInt64(8) == 7)
            // Statement-level API and argument arrays.
            let fromStatement = try await db.read { conn in
                let statement = try conn.prepare("SELECT ? + ?, ?")
                return try statement.queryOne(bindings: [.integer(40), .integer(2), nil])!
            }
            #expect(try fromStatement.int64(0) == 42)
            #expect(try fromStatement.isNull(1))
            await db.close()
        }
    }

    @Test func typedGettersReportClearErrors() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let row = try await db.read { conn in
                try conn.queryOne("SELECT 'text' AS Name, NULL AS note, 5 AS stock, 2.5 AS price, 5000000000 AS big")!
            }
            #expect(try row.string("name") == "text")  // case-insensitive lookup
            #expect(try row.double("stock") == 5)  // INTEGER widens to Double
            #expect(try row.optionalString("note") == nil)
            #expect(row["missing"] == nil)
            #expect(row["STOCK"] == .integer(5))
            #expect(row.description == "[Name: 'text', note: NULL, stock: 5, price: 2.5, big: 5000000000]")

            #expect(throws: RowDecodingError.typeMismatch(column: "Name", index: 0, expected: "INTEGER", found: .text("text"))) {
                _ = try row.int64("Name")
            }
            #expect(throws: RowDecodingError.unexpectedNull(column: "note", index: 1, expected: "TEXT")) {
                _ = try row.string("note")
            }
            #expect(throws: RowDecodingError.noSuchColumn(name: "nope", available: ["Name", "note", "stock", "price", "big"])) {
                _ = try row.int("nope")
            }
            #expect(throws: RowDecodingError.indexOutOfRange(index: 9, columnCount: 5)) {
                _ = try row.string(9)
            }
            #expect(throws: RowDecodingError.integerOverflow(column: "big", index: 4, value: 5_000_000_000, expected: "Int32")) {
                _ = try row.int32("big")
            }
            #expect(throws: RowDecodingError.self) { _ = try row.blob("Name") }
            #expect(throws: RowDecodingError.self) { _ = try row.optionalInt64("price") }

            let message = String(
                describing: RowDecodingError.typeMismatch(
                    column: "stock", index: 2, expected: "TEXT", found: .integer(5)))
            #expect(message == "Column 'stock' (#2) holds INTEGER 5, expected TEXT.")
            await db.close()
        }
    }

    @Test func rowCursorReadsWithoutMaterializing() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            struct Item: Sendable, Equatable {
                let id: Int64
                let name: String
                let note: String?
            }
            let items = try await db.write { conn -> [Item] in
                try conn.execute(
                    """
                    CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);
                    INSERT INTO items VALUES (1, 'a', NULL), (2, 'b', 'x'), (3, 'c', NULL);
                    """)
                var items: [Item] = []
                try conn.forEachRow("SELECT id, name, note FROM items WHERE id >= ? ORDER BY id", 2) { cursor in
                    items.append(Item(id: try cursor.int64("id"), name: try cursor.string(1), note: try cursor.optionalString("note")))
                    #expect(cursor.row.columnNames == ["id", "name", "note"])
                }
                return items
            }
            #expect(items == [Item(id: 2, name: "b", note: "x"), Item(id: 3, name: "c", note: nil)])
            await db.close()
        }
    }
}
