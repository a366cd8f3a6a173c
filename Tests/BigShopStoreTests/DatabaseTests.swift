import BigShopTestSupport
import CSQLite
import Foundation
import Testing

@testable import BigShopStore

@Suite("Database basics", .timeLimit(.minutes(2)))
struct DatabaseTests {
    @Test func walModeAndPragmasAreSet() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let writer = try await db.write { conn in
                try conn.execute("CREATE TABLE t(x)")
                try conn.run("INSERT INTO t VALUES (1)")
                return try [
                    conn.queryOne("PRAGMA journal_mode")!.string(0),
                    String(conn.queryOne("PRAGMA synchronous")!.int(0)),
                    String(conn.queryOne("PRAGMA foreign_keys")!.int(0)),
                    String(conn.queryOne("PRAGMA busy_timeout")!.int(0)),
                ]
            }
            #expect(writer == ["wal", "1", "1", "5000"])  // synchronous 1 = NORMAL
            let reader = try await db.read { conn in
                try [
                    conn.queryOne("PRAGMA journal_mode")!.string(0),
                    String(conn.queryOne("PRAGMA foreign_keys")!.int(0)),
                    String(conn.queryOne("PRAGMA query_only")!.int(0)),
                ]
            }
            #expect(reader == ["wal", "1", "1"])
            #expect(FileManager.default.fileExists(atPath: dir + "/test.sqlite-wal"))
            await db.close()

            let full = try await openDatabase(
                dir,
                configuration: DatabaseConfiguration(
                    synchronous: .full, busyTimeout: .milliseconds(250)))
            let settings = try await full.write { conn in
                try [conn.queryOne("PRAGMA synchronous")!.int(0), conn.queryOne("PRAGMA busy_timeout")!.int(0)]
            }
            #expect(settings == [2, 250])  // synchronous 2 = FULL
            await full.close()
        }
    }

    @Test func dataPersistsAfterCloseAndReopen() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { conn in
                try conn.execute("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
                for i in 1...100 {
                    try conn.run("INSERT INTO items(id, name) VALUES (?, ?)", .integer(Int64(i)), .text("item \(i)"))
                }
            }
            await db.close()

            let reopened = try await openDatabase(dir)
            let (count, name) = try await reopened.read { conn in
                (
                    try conn.queryOne("SELECT count(*) FROM items")!.int(0),
                    try conn.queryOne("SELECT name FROM items WHERE id = ?", 42)!.string("name")
                )
            }
            #expect(count == 100)
            #expect(name == "item 42")
            await reopened.close()
        }
    }

    @Test func writeRollsBackWhenBodyThrows() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { try $0.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)") }

            await #expect(throws: TestError(tag: 1)) {
                try await db.write { conn in
                    try conn.run("INSERT INTO t(id) VALUES (1)")
                    throw TestError(tag: 1)
                }
            }
            let error = await #expect(throws: SQLiteError.self) {
                try await db.write { conn in
                    try conn.run("INSERT INTO t(id) VALUES (2)")
                    try conn.run("INSERT INTO t(id) VALUES (2)")
                }
            }
            #expect(error?.isUniqueViolation == true)
            #expect(error?.isConstraintViolation == true)
            #expect(error?.isBusy == false)
            #expect(error?.code == SQLITE_CONSTRAINT)
            #expect(error?.extendedCode == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
            #expect(error?.sql == "INSERT INTO t(id) VALUES (2)")
            #expect(error?.message.contains("UNIQUE constraint failed") == true)

            // Nothing of either transaction remains, and the writer is usable again.
            #expect(try await db.read { try $0.queryOne("SELECT count(*) FROM t")!.int(0) } == 0)
            try await db.write { try $0.run("INSERT INTO t(id) VALUES (3)") }
            #expect(try await db.read { try $0.queryOne("SELECT count(*) FROM t")!.int(0) } == 1)
            await db.close()
        }
    }

    @Test func savepointRollsBackOnlyItsPart() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let ids = try await db.write { conn -> [Int] in
                try conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")
                try conn.run("INSERT INTO t VALUES (1)")
                _ = try? conn.inSavepoint {
                    try conn.run("INSERT INTO t VALUES (2)")
                    throw TestError(tag: 2)
                }
                try conn.inSavepoint {
                    try conn.run("INSERT INTO t VALUES (3)")
                    try conn.inSavepoint { try conn.run("INSERT INTO t VALUES (4)") }
                }
                return try conn.query("SELECT id FROM t ORDER BY id").map { try $0.int(0) }
            }
            #expect(ids == [1, 3, 4])
            await db.close()
        }
    }

    @Test func readConnectionsAreReadOnly() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { try $0.execute("CREATE TABLE t(x)") }
            let error = await #expect(throws: SQLiteError.self) {
                try await db.read { try $0.run("INSERT INTO t VALUES (1)") }
            }
            #expect(error?.code == SQLITE_READONLY)
            await db.close()
        }
    }

    @Test func closedDatabaseRejectsRequests() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { try $0.execute("CREATE TABLE t(x)") }
            await db.close()
            await db.close()  // idempotent
            await #expect(throws: StoreError.databaseClosed) { try await db.write { _ in 1 } }
            await #expect(throws: StoreError.databaseClosed) { try await db.writeBatched { _ in 1 } }
            await #expect(throws: StoreError.databaseClosed) { try await db.read { _ in 1 } }
        }
    }

    @Test func releasingWithoutCloseIsSafe() async throws {
        try await withTemporaryDirectory { dir in
            do {
                let db = try await openDatabase(dir)
                try await db.write { conn in
                    try conn.execute("CREATE TABLE t(x)")
                    try conn.run("INSERT INTO t VALUES ('kept')")
                }
                _ = try await db.read { try $0.query("SELECT * FROM t") }
            }  // last reference dropped here; deinit stops the threads in the background
            let reopened = try await openDatabase(dir)
            #expect(try await reopened.read { try $0.queryOne("SELECT x FROM t")!.string(0) } == "kept")
            await reopened.close()
        }
    }

    @Test func openFailsCleanlyForBadPath() async throws {
        await #expect(throws: SQLiteError.self) {
            _ = try await Database(path: "/nonexistent-dir-\(UUID().uuidString)/x.sqlite")
        }
        await #expect(throws: StoreError.self) {
            _ = try await Database(path: "/tmp/unused.sqlite", configuration: DatabaseConfiguration(readerCount: 0))
        }
    }

    @Test func writeWithoutTransactionRefusesLeftoverTransaction() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.writeWithoutTransaction { conn in
                try conn.execute("CREATE TABLE t(x)")
                try conn.run("INSERT INTO t VALUES (1)")  // autocommits
            }
            await #expect(throws: StoreError.transactionLeftOpen) {
                try await db.writeWithoutTransaction { conn in
                    try conn.execute("BEGIN; INSERT INTO t VALUES (2)")
                }
            }
            #expect(try await db.read { try $0.queryOne("SELECT count(*) FROM t")!.int(0) } == 1)
            try await db.write { try $0.run("INSERT INTO t VALUES (3)") }  // writer not stuck in a transaction
            await db.close()
        }
    }

    @Test func statementsAreCachedAndNestedUseIsSafe() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir, configuration: DatabaseConfiguration(statementCacheCapacity: 3))
            let result = try await db.write { conn -> (Int, [Int], Int) in
                try conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")
                for i in 1...5 { try conn.run("INSERT INTO t(id) VALUES (?)", i) }
                let afterInserts = conn.cachedStatementCount
                // The same SQL nested inside its own iteration gets a fresh statement.
                var pairs: [Int] = []
                try conn.forEachRow("SELECT id FROM t WHERE id <= ? ORDER BY id", 2) { outer in
                    try conn.forEachRow("SELECT id FROM t WHERE id <= ? ORDER BY id", 2) { inner in
                        pairs.append(try outer.int(0) * 10 + inner.int(0))
                    }
                }
                for i in 0..<10 { _ = try conn.queryOne("SELECT \(i)") }  // evicts (LRU, capacity 3)
                return (afterInserts, pairs, conn.cachedStatementCount)
            }
            #expect(result.0 == 1)  // only the INSERT; BEGIN/COMMIT are kept apart
            #expect(result.1 == [11, 12, 21, 22])
            #expect(result.2 == 3)
            await db.close()
        }
    }

    @Test func cachedColumnNamesFollowSchemaChanges() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let (before, after) = try await db.write { conn -> ([String], [String]) in
                try conn.execute("CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 2)")
                let before = try conn.queryOne("SELECT * FROM t")!.columnNames
                try conn.execute("ALTER TABLE t RENAME COLUMN a TO renamed; ALTER TABLE t ADD COLUMN c")
                let after = try conn.queryOne("SELECT * FROM t")!.columnNames
                return (before, after)
            }
            #expect(before == ["a", "b"])
            #expect(after == ["renamed", "b", "c"])
            await db.close()
        }
    }

    @Test func statementMisuseIsReported() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { conn in
                try conn.execute("CREATE TABLE t(a, b)")
                #expect(throws: StoreError.bindingCountMismatch(sql: "INSERT INTO t VALUES (?, ?)", expected: 2, got: 1)) {
                    try conn.run("INSERT INTO t VALUES (?, ?)", 1)
                }
                #expect(throws: StoreError.emptyStatement(sql: "  -- nothing")) {
                    _ = try conn.prepare("  -- nothing")
                }
                #expect(throws: SQLiteError.self) {
                    _ = try conn.prepare("INSERT INTO t VALUES (1, 2); DELETE FROM t")
                }
                _ = try conn.prepare("INSERT INTO t VALUES (1, 2); -- trailing comment")
                let syntax = #expect(throws: SQLiteError.self) { _ = try conn.prepare("SELEC 1") }
                #expect(syntax?.sql == "SELEC 1")
                #expect(syntax?.message.contains("syntax error") == true)
                let script = #expect(throws: SQLiteError.self) {
                    try conn.execute("INSERT INTO t VALUES (1, 1); INSERT INTO missing VALUES (1)")
                }
                #expect(script?.message.contains("no such table") == true)
            }
            await db.close()
        }
    }

    @Test func lastInsertRowIDAndChanges() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let (rowID, changed, total) = try await db.write { conn in
                try conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)")
                try conn.run("INSERT INTO t(v) VALUES (1), (1), (1)")
                let rowID = conn.lastInsertRowID
                try conn.run("UPDATE t SET v = 2 WHERE v = 1")
                return (rowID, conn.changes, conn.totalChanges)
            }
            #expect(rowID == 3)
            #expect(changed == 3)
            #expect(total == 6)
            await db.close()
        }
    }

    @Test func writesRunInCallOrder() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { try $0.execute("CREATE TABLE log(seq INTEGER PRIMARY KEY AUTOINCREMENT, tag INTEGER)") }
            let blocker = try await WriterBlocker(db)
            var tasks: [Task<Void, any Error>] = []
            for tag in 0..<12 {
                // Alternate plain and batched writes; wait until each is queued before the next.
                tasks.append(
                    Task {
                        if tag % 3 == 0 {
                            try await db.write { try $0.run("INSERT INTO log(tag) VALUES (?)", tag) }
                        } else {
                            try await db.writeBatched { try $0.run("INSERT INTO log(tag) VALUES (?)", tag) }
                        }
                    })
                #expect(await eventually { db.pendingWriteCount == tag + 1 })
            }
            try await blocker.release()
            for task in tasks { try await task.value }
            let tags = try await db.read { try $0.query("SELECT tag FROM log ORDER BY seq").map { try $0.int(0) } }
            #expect(tags == Array(0..<12))
            await db.close()
        }
    }
}
