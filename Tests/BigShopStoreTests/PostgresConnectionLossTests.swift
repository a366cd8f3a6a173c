import BigShopTestSupport
import Foundation
import Synchronization
import Testing

@testable import BigShopStore

/// What the PostgreSQL engine does when a connection dies under it (a backend
/// terminated by an operator, a server restarted or failed over): work that had not
/// reached COMMIT runs again on a new connection, nothing runs twice or outside its
/// transaction, and a server that stops answering fails statements instead of holding
/// database threads forever.
@Suite(
    "PostgreSQL connection loss", .enabled(if: TestPostgres.isAvailable, "needs BIGSHOP_TEST_POSTGRES_URL (scripts/with-postgres)"),
    .timeLimit(.minutes(3)))
struct PostgresConnectionLossTests {
    static let migrator = Migrator(
        namespace: "ledger",
        migrations: [
            Migration(version: 1, name: "ledger", sql: "CREATE TABLE ledger (id INTEGER PRIMARY KEY, note TEXT NOT NULL);")
        ])

    func withDatabase(
        configuration: DatabaseConfiguration = DatabaseConfiguration(readerCount: 2, postgresWriterCount: 2),
        _ body: (Database, String) async throws -> Void
    ) async throws {
        let location = try #require(TestPostgres.freshLocation("loss"))
        guard case .postgres(_, let schema) = location else { return }
        let db = try await Database(location: location, configuration: configuration)
        do {
            try await db.migrate(Self.migrator)
            try await body(db, schema)
        } catch {
            await db.close()
            await TestPostgres.dropSchema(schema)
            throw error
        }
        await db.close()
        await TestPostgres.dropSchema(schema)
    }

    func count(_ db: Database) async throws -> Int {
        try await db.read { try $0.queryOne("SELECT count(*) FROM ledger")!.int(0) }
    }

    @Test func everyConnectionTerminatedIsReplaced() async throws {
        try await withDatabase { db, schema in
            try await db.write { try $0.run("INSERT INTO ledger (id, note) VALUES (0, 'before')") }
            _ = try await count(db)
            // Two writers, two readers, as configured: all of them gone at once.
            #expect(try await TestPostgres.terminateConnections(of: schema) == 4)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 1...40 {
                    group.addTask {
                        if id.isMultiple(of: 2) {
                            try await db.writeBatched { try $0.run("INSERT INTO ledger (id, note) VALUES (?, 'batched')", id) }
                        } else {
                            try await db.write { try $0.run("INSERT INTO ledger (id, note) VALUES (?, 'single')", id) }
                        }
                        _ = try await count(db)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await count(db) == 41)
        }
    }

    @Test func aTransactionWhoseConnectionDiesRunsAgainWhole() async throws {
        try await withDatabase { db, _ in
            let attempts = Atomic<Int>(0)
            try await db.write { connection in
                let attempt = attempts.add(1, ordering: .relaxed).newValue
                try connection.run("INSERT INTO ledger (id, note) VALUES (?, 'attempt')", attempt)
                if attempt == 1 {
                    // The connection dies inside the transaction, before COMMIT.
                    #expect(throws: PostgresError.self) { try connection.run("SELECT pg_terminate_backend(pg_backend_pid())::text") }
                    // Nothing more runs on it, above all not outside a transaction.
                    let after = #expect(throws: PostgresError.self) { try connection.run("INSERT INTO ledger (id, note) VALUES (99, 'stray')") }
                    #expect(after?.isConnectionLostBeforeCommit == true)
                    throw after ?? PostgresError(sqlState: nil, message: "expected a failure")
                }
            }
            let attemptCount = attempts.load(ordering: .relaxed)
            #expect(attemptCount == 2)
            let ids = try await db.read { try $0.query("SELECT id FROM ledger ORDER BY id").map { try $0.int(0) } }
            #expect(ids == [2])  // the first attempt's row and the stray insert were never kept
        }
    }

    @Test func aBatchWhoseConnectionDiesRunsAgainWhole() async throws {
        try await withDatabase(configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1)) { db, _ in
            let killed = Flag()
            // Hold the only writer so that the 30 bodies queue up into one batch.
            async let blocker: Void = db.write { try $0.run("SELECT pg_sleep(0.3)::text") }
            try await Task.sleep(for: .milliseconds(100))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 1...30 {
                    group.addTask {
                        try await db.writeBatched { connection in
                            try connection.run("INSERT INTO ledger (id, note) VALUES (?, 'batched')", id)
                            if id == 15, !killed.value.exchange(true, ordering: .relaxed) {
                                try connection.run("SELECT pg_terminate_backend(pg_backend_pid())::text")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await blocker
            let didKill = killed.value.load(ordering: .relaxed)
            #expect(didKill)
            #expect(try await count(db) == 30)
        }
    }

    @Test func aServerThatStopsAnsweringFailsTheStatement() async throws {
        let configuration = DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1, postgresStatementTimeout: .milliseconds(300))
        try await withDatabase(configuration: configuration) { db, _ in
            let start = ContinuousClock.now
            // A statement that outlives the timeout looks like a server gone silent.
            let error = await #expect(throws: PostgresError.self) { try await db.read { try $0.run("SELECT pg_sleep(10)::text") } }
            #expect(error?.isConnectionFailure == true)
            #expect(ContinuousClock.now - start < .seconds(8))
            // The next work gets a new connection.
            try await db.write { try $0.run("INSERT INTO ledger (id, note) VALUES (1, 'after')") }
            #expect(try await count(db) == 1)
        }
    }
}

/// A flag shared with the tasks of a group (an `Atomic` cannot be captured by them).
private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
