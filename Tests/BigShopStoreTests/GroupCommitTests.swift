import BigShopTestSupport
import Foundation
import Testing

@testable import BigShopStore

@Suite("Group commit", .timeLimit(.minutes(2)))
struct GroupCommitTests {
    @Test func burstOfBatchedWritesCostsFewCommits() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { try $0.execute("CREATE TABLE reservation(id INTEGER PRIMARY KEY, sku TEXT NOT NULL, qty INTEGER NOT NULL)") }
            let before = db.metrics
            let calls = 2_000
            let notVisibleAfterReturn = try await withThrowingTaskGroup(of: Int.self) { group in
                for id in 1...calls {
                    group.addTask {
                        let returned = try await db.writeBatched { conn -> Int64 in
                            try conn.run("INSERT INTO reservation(id, sku, qty) VALUES (?, ?, ?)", id, "sku-\(id % 7)", 1)
                            return conn.lastInsertRowID
                        }
                        #expect(returned == Int64(id))
                        // The caller resumes only after COMMIT: another connection sees the row.
                        if id % 50 == 0 {
                            let visible = try await db.read {
                                try $0.queryOne("SELECT count(*) FROM reservation WHERE id = ?", id)!.int(0)
                            }
                            return visible == 1 ? 0 : 1
                        }
                        return 0
                    }
                }
                var missing = 0
                for try await value in group { missing += value }
                return missing
            }
            let after = db.metrics
            let commits = after.committedTransactions - before.committedTransactions
            print("group commit: \(calls) writeBatched calls -> \(commits) commits, \(after.batches - before.batches) batches, largest \(after.largestBatch)")
            #expect(notVisibleAfterReturn == 0)
            #expect(commits >= calls / 256)
            #expect(commits < calls / 10)  // far fewer than one commit per call
            #expect(after.batchedWrites - before.batchedWrites == calls)
            #expect(after.largestBatch <= 256)
            let count = try await db.read { try $0.queryOne("SELECT count(*), count(DISTINCT id) FROM reservation")! }
            #expect(try count.int(0) == calls)
            #expect(try count.int(1) == calls)
            await db.close()
        }
    }

    /// Queues `count` batched writes behind a blocked writer so that they form one batch.
    /// `body(index)` runs on the writer thread. Returns each call's result in index order.
    static func queuedBatch(
        _ db: Database, count: Int,
        body: @escaping @Sendable (Int, Connection) throws -> Void
    ) async throws -> [Result<Void, any Error>] {
        let blocker = try await WriterBlocker(db)
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<count {
            tasks.append(Task { try await db.writeBatched { conn in try body(index, conn) } })
            #expect(await eventually { db.pendingWriteCount == index + 1 })
        }
        try await blocker.release()
        var results: [Result<Void, any Error>] = []
        for task in tasks { results.append(await task.result) }
        return results
    }

    @Test func failingBodyInTheMiddleDoesNotLoseTheOthers() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { conn in
                try conn.execute("CREATE TABLE r(id INTEGER PRIMARY KEY, note TEXT)")
                try conn.run("INSERT INTO r VALUES (105, 'existing')")
            }
            let before = db.metrics
            let results = try await Self.queuedBatch(db, count: 10) { index, conn in
                try conn.run("INSERT INTO r VALUES (?, 'new')", 100 + index)  // index 5 collides with 105
                if index == 7 {
                    try conn.run("INSERT INTO r VALUES (999, 'rolled back with its body')")
                    throw TestError(tag: 7)
                }
            }
            let after = db.metrics
            #expect(after.committedTransactions - before.committedTransactions == 2)  // blocker + one batch
            #expect(after.batches - before.batches == 1)
            #expect(after.largestBatch >= 10)
            for (index, result) in results.enumerated() {
                switch (index, result) {
                case (5, .failure(let error)):
                    #expect((error as? SQLiteError)?.isUniqueViolation == true)
                case (7, .failure(let error)):
                    #expect(error as? TestError == TestError(tag: 7))
                case (_, .success):
                    #expect(index != 5 && index != 7)
                case (_, .failure(let error)):
                    Issue.record("call \(index) failed: \(error)")
                }
            }
            let rows = try await db.read { conn in
                try conn.query("SELECT id, note FROM r ORDER BY id").map { "\(try $0.int(0)):\(try $0.string(1))" }
            }
            #expect(
                rows == [
                    "100:new", "101:new", "102:new", "103:new", "104:new", "105:existing",
                    "106:new", "108:new", "109:new",
                ])
            await db.close()
        }
    }

    @Test func batchesAreCappedAtMaxBatchSize() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir, configuration: DatabaseConfiguration(maxBatchSize: 16))
            try await db.write { try $0.execute("CREATE TABLE r(id INTEGER PRIMARY KEY)") }
            let before = db.metrics
            let results = try await Self.queuedBatch(db, count: 100) { index, conn in
                try conn.run("INSERT INTO r VALUES (?)", index)
            }
            #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
            let after = db.metrics
            #expect(after.largestBatch == 16)
            #expect(after.batches - before.batches == 7)  // 6 x 16 + 4
            #expect(try await db.read { try $0.queryOne("SELECT count(*) FROM r")!.int(0) } == 100)
            await db.close()
        }
    }

    @Test func bodyThatAbortsTheWholeTransactionOnlyFailsItself() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { conn in
                try conn.execute("CREATE TABLE r(id INTEGER PRIMARY KEY)")
                try conn.run("INSERT INTO r VALUES (4)")
            }
            let executions = (0..<8).map { _ in Probe() }
            let results = try await Self.queuedBatch(db, count: 8) { index, conn in
                executions[index].increment()
                // OR ROLLBACK makes SQLite abandon the whole transaction, not just the statement.
                try conn.run(index == 4 ? "INSERT OR ROLLBACK INTO r VALUES (?)" : "INSERT INTO r VALUES (?)", index)
            }
            for (index, result) in results.enumerated() {
                if index == 4 {
                    #expect(throws: SQLiteError.self) { try result.get() }
                } else {
                    #expect(throws: Never.self) { try result.get() }
                }
            }
            // Bodies 0-3 were rolled back with the transaction and executed again.
            #expect(executions.map(\.count) == [2, 2, 2, 2, 1, 1, 1, 1])
            let ids = try await db.read { try $0.query("SELECT id FROM r ORDER BY id").map { try $0.int(0) } }
            #expect(ids == [0, 1, 2, 3, 4, 5, 6, 7])
            await db.close()
        }
    }
}
