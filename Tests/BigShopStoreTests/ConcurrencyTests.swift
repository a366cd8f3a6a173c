import BigShopTestSupport
import Foundation
import Testing

@testable import BigShopStore

@Suite("Concurrency", .timeLimit(.minutes(2)))
struct ConcurrencyTests {
    @Test func readSeesOneSnapshotWhileWriterCommits() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { conn in
                try conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")
                try conn.run("INSERT INTO t VALUES (1), (2), (3)")
            }
            let (started, startedContinuation) = AsyncStream<Void>.makeStream()
            let writerDone = DispatchSemaphore(value: 0)
            let reader = Task {
                try await db.read { conn -> (Int, Int) in
                    let before = try conn.queryOne("SELECT count(*) FROM t")!.int(0)
                    startedContinuation.yield()
                    // Blocks this reader thread only; bounded.
                    _ = writerDone.wait(timeout: .now() + 10)
                    let after = try conn.queryOne("SELECT count(*) FROM t")!.int(0)
                    return (before, after)
                }
            }
            for await _ in started { break }
            // The writer commits while the read transaction is open.
            try await db.write { try $0.run("INSERT INTO t VALUES (4)") }
            writerDone.signal()
            let (before, after) = try await reader.value
            #expect(before == 3)
            #expect(after == 3)  // same snapshot
            #expect(try await db.read { try $0.queryOne("SELECT count(*) FROM t")!.int(0) } == 4)
            await db.close()
        }
    }

    @Test func readersDoNotWaitForAnOpenWriteTransaction() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.write { conn in
                try conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")
                try conn.run("INSERT INTO t VALUES (1)")
            }
            let inserted = Probe()
            let release = DispatchSemaphore(value: 0)
            let writer = Task {
                try await db.write { conn in
                    try conn.run("INSERT INTO t VALUES (2)")
                    inserted.set()
                    _ = release.wait(timeout: .now() + 10)
                }
            }
            #expect(await eventually { inserted.isSet })
            let clock = ContinuousClock()
            let start = clock.now
            let visible = try await db.read { try $0.queryOne("SELECT count(*) FROM t")!.int(0) }
            #expect(clock.now - start < .seconds(5))
            #expect(visible == 1)  // uncommitted row not visible
            release.signal()
            try await writer.value
            #expect(try await db.read { try $0.queryOne("SELECT count(*) FROM t")!.int(0) } == 2)
            await db.close()
        }
    }

    @Test func readersRunInParallel() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let a = DispatchSemaphore(value: 0)
            let b = DispatchSemaphore(value: 0)
            // Each body waits for the other one to have started: only possible if both run
            // at the same time on different reader threads.
            async let first = db.read { _ in
                a.signal()
                return b.wait(timeout: .now() + 10) == .success
            }
            async let second = db.read { _ in
                b.signal()
                return a.wait(timeout: .now() + 10) == .success
            }
            let results = try await [first, second]
            #expect(results == [true, true])
            await db.close()
        }
    }

    @Test func concurrentReadersSeeConsistentTotals() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let accounts = 50
            try await db.write { conn in
                try conn.execute("CREATE TABLE account(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)")
                for id in 1...accounts { try conn.run("INSERT INTO account VALUES (?, 100)", id) }
            }
            let expectedTotal = accounts * 100
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    for _ in 0..<300 {
                        let from = Int.random(in: 1...accounts, using: &generator)
                        let to = Int.random(in: 1...accounts, using: &generator)
                        let amount = Int.random(in: 1...20, using: &generator)
                        try await db.write { conn in
                            try conn.run("UPDATE account SET balance = balance - ? WHERE id = ?", amount, from)
                            try conn.run("UPDATE account SET balance = balance + ? WHERE id = ?", amount, to)
                        }
                    }
                    return 0
                }
                for _ in 0..<4 {
                    group.addTask {
                        var inconsistent = 0
                        for _ in 0..<100 {
                            let (sum1, count, sum2) = try await db.read { conn in
                                (
                                    try conn.queryOne("SELECT sum(balance) FROM account")!.int(0),
                                    try conn.query("SELECT id, balance FROM account").count,
                                    try conn.queryOne("SELECT sum(balance) FROM account")!.int(0)
                                )
                            }
                            if sum1 != expectedTotal || sum2 != expectedTotal || count != accounts { inconsistent += 1 }
                        }
                        return inconsistent
                    }
                }
                var inconsistent = 0
                for try await value in group { inconsistent += value }
                #expect(inconsistent == 0)
            }
            await db.close()
        }
    }

    @Test func busyTimeoutWithTwoDatabasesOnOneFile() async throws {
        try await withTemporaryDirectory { dir in
            let holder = try await openDatabase(dir, "shared.sqlite")
            try await holder.write { try $0.execute("CREATE TABLE t(x)") }
            let impatient = try await openDatabase(
                dir, "shared.sqlite",
                configuration: DatabaseConfiguration(
                    busyTimeout: .milliseconds(200), readerCount: 1))
            let patient = try await openDatabase(
                dir, "shared.sqlite",
                configuration: DatabaseConfiguration(
                    busyTimeout: .seconds(10), readerCount: 1))

            let locked = Probe()
            let release = DispatchSemaphore(value: 0)
            let holding = Task {
                try await holder.write { conn in
                    try conn.run("INSERT INTO t VALUES ('holder')")
                    locked.set()
                    _ = release.wait(timeout: .now() + 10)
                }
            }
            #expect(await eventually { locked.isSet })

            // Short timeout: fails with SQLITE_BUSY after roughly the timeout.
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: SQLiteError.self) {
                try await impatient.write { try $0.run("INSERT INTO t VALUES ('impatient')") }
            }
            let waited = clock.now - start
            #expect(error?.isBusy == true)
            #expect(waited >= .milliseconds(150))
            #expect(waited < .seconds(5))

            // Long timeout: waits for the holder to commit, then succeeds.
            let patientWrite = Task {
                try await patient.write { try $0.run("INSERT INTO t VALUES ('patient')") }
            }
            try await Task.sleep(for: .milliseconds(300))
            release.signal()
            try await holding.value
            try await patientWrite.value

            // Readers are never blocked by the writer lock of another connection.
            let rows = try await impatient.read { conn in
                try conn.query("SELECT x FROM t ORDER BY rowid").map { try $0.string(0) }
            }
            #expect(rows == ["holder", "patient"])
            await impatient.close()
            await patient.close()
            await holder.close()
        }
    }
}
