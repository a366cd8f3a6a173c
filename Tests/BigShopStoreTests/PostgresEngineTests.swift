import BigShopTestSupport
import Foundation
import Testing

@testable import BigShopStore

/// The PostgreSQL engine, against the throw-away server of the test run
/// (`scripts/with-postgres` sets `BIGSHOP_TEST_POSTGRES_URL`).
@Suite(
    "PostgreSQL engine", .enabled(if: TestPostgres.isAvailable, "needs BIGSHOP_TEST_POSTGRES_URL (scripts/with-postgres)"),
    .timeLimit(.minutes(3)))
struct PostgresEngineTests {
    /// Opens a database in a fresh schema, runs `body`, closes it and drops the schema.
    func withDatabase<T>(
        configuration: DatabaseConfiguration = DatabaseConfiguration(readerCount: 2, postgresWriterCount: 4),
        _ body: (Database, DatabaseLocation) async throws -> T
    ) async throws -> T {
        let location = try #require(TestPostgres.freshLocation())
        guard case .postgres(_, let schema) = location else { fatalError() }
        let db = try await Database(location: location, configuration: configuration)
        do {
            let value = try await body(db, location)
            await db.close()
            await TestPostgres.dropSchema(schema)
            return value
        } catch {
            await db.close()
            await TestPostgres.dropSchema(schema)
            throw error
        }
    }

    static let migrations = [
        Migration(
            version: 1, name: "items",
            sql: """
                CREATE TABLE items (
                    number INTEGER PRIMARY KEY AUTOINCREMENT,
                    sku TEXT NOT NULL COLLATE NOCASE UNIQUE,
                    stock INTEGER NOT NULL CHECK (stock >= 0),
                    price REAL NOT NULL DEFAULT 0,
                    photo BLOB
                ) WITHOUT ROWID;
                """),
        Migration(version: 2, name: "backfill") { connection in
            try connection.run("INSERT INTO items (sku, stock) VALUES (?, ?)", "seed", 5)
        },
    ]

    @Test func migratesOnceAndRoundTripsEveryValueType() async throws {
        try await withDatabase { db, _ in
            let migrator = Migrator(namespace: "items", migrations: Self.migrations)
            #expect(try await db.migrate(migrator) == [1, 2])
            #expect(try await db.migrate(migrator) == [])
            #expect(try await migrator.currentVersion(in: db) == 2)
            try await db.write { connection in
                try connection.run(
                    "INSERT INTO items (sku, stock, price, photo) VALUES (?, ?, ?, ?)",
                    .text("Mug-1"), .integer(Int64.max), .real(2.5), .blob([0, 1, 255]))
            }
            let row = try await db.read { connection in
                try connection.queryOne("SELECT number, sku, stock, price, photo, photo IS NULL AS missing FROM items WHERE sku = ?", "mug-1")
            }
            let found = try #require(row)  // COLLATE NOCASE: 'mug-1' finds 'Mug-1'
            #expect(try found.string("sku") == "Mug-1")
            #expect(try found.int64("stock") == Int64.max)
            #expect(try found.double("price") == 2.5)
            #expect(try found.blob("photo") == [0, 1, 255])
            #expect(try found.bool("missing") == false)
            #expect(try found.int64("number") == 2)  // the identity column counts like AUTOINCREMENT
            let total = try await db.read { try $0.queryOne("SELECT sum(stock - 1) AS s, count(*) AS n FROM items WHERE sku <> 'Mug-1'")! }
            #expect(try total.int64("s") == 4)  // numeric comes back as an integer
            #expect(try total.int("n") == 1)
        }
    }

    @Test func constraintViolationsAreClassifiedAndRolledBack() async throws {
        try await withDatabase { db, _ in
            try await db.migrate(Migrator(namespace: "items", migrations: Self.migrations))
            await #expect {
                try await db.write { connection in
                    try connection.run("UPDATE items SET stock = 0")
                    try connection.run("INSERT INTO items (sku, stock) VALUES ('SEED', 1)")
                }
            } throws: { $0.isUniqueViolation && $0.isConstraintViolation }
            // The whole transaction was rolled back: the stock is untouched.
            #expect(try await db.read { try $0.queryOne("SELECT stock FROM items")!.int(0) } == 5)
            // A savepoint keeps the transaction alive past a failed statement.
            let kept = try await db.write { connection -> Int in
                try connection.run("UPDATE items SET stock = 4")
                _ = try? connection.inSavepoint { try connection.run("UPDATE items SET stock = -1") }
                return connection.changes
            }
            #expect(kept == 1)
            #expect(try await db.read { try $0.queryOne("SELECT stock FROM items")!.int(0) } == 4)
        }
    }

    @Test func readersCannotWrite() async throws {
        try await withDatabase { db, _ in
            try await db.migrate(Migrator(namespace: "items", migrations: Self.migrations))
            await #expect(throws: PostgresError.self) {
                try await db.read { try $0.run("UPDATE items SET stock = 0") }
            }
        }
    }

    /// Two replicas (two `Database`s on one schema, four writer connections each) sell 50
    /// units to 500 concurrent buyers with read-then-write transactions: SERIALIZABLE plus
    /// the retry inside the store must sell exactly 50, and no caller sees 40001.
    @Test func twoReplicasSellExactlyTheStock() async throws {
        try await withDatabase { first, location in
            try await first.migrate(Migrator(namespace: "items", migrations: Self.migrations))
            try await first.write { try $0.run("UPDATE items SET stock = 50") }
            let second = try await Database(location: location, configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 4))
            try await second.migrate(Migrator(namespace: "items", migrations: Self.migrations))
            let sold = try await withThrowingTaskGroup(of: Bool.self) { group in
                for buyer in 0..<500 {
                    let db = buyer.isMultiple(of: 2) ? first : second
                    group.addTask {
                        let write: @Sendable (Connection) throws -> Bool = { connection in
                            // Read, decide, write: correct only if transactions behave as serial.
                            let stock = try connection.queryOne("SELECT stock FROM items WHERE sku = 'seed'")!.int(0)
                            guard stock > 0 else { return false }
                            try connection.run("UPDATE items SET stock = ? WHERE sku = 'seed'", stock - 1)
                            return true
                        }
                        return buyer % 3 == 0 ? try await db.writeBatched(write) : try await db.write(write)
                    }
                }
                var sold = 0
                for try await ok in group where ok { sold += 1 }
                return sold
            }
            await second.close()
            #expect(sold == 50)
            #expect(try await first.read { try $0.queryOne("SELECT stock FROM items WHERE sku = 'seed'")!.int(0) } == 0)
        }
    }

    @Test func replicasMigrateTogetherOnce() async throws {
        try await withDatabase { first, location in
            let second = try await Database(location: location, configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
            let migrator = Migrator(namespace: "items", migrations: Self.migrations)
            async let a = first.migrate(migrator)
            async let b = second.migrate(migrator)
            let applied = try await [a, b]
            await second.close()
            #expect(applied.sorted { $0.count < $1.count } == [[], [1, 2]])
            #expect(try await first.read { try $0.queryOne("SELECT count(*) FROM items")!.int(0) } == 1)
        }
    }

    @Test func badURLsAreExplained() {
        #expect(throws: StoreError.self) { try PostgresEndpoint(url: "mysql://a@b/c") }
        #expect(throws: StoreError.self) { try PostgresEndpoint(url: "postgres://host/db") }
        #expect(throws: StoreError.self) { try PostgresEndpoint(url: "postgres://u@host") }
        let endpoint = try? PostgresEndpoint(url: "postgres://shop:s%40cret@db.internal:6543/bigshop")
        #expect(endpoint?.password == "s@cret")
        #expect(endpoint?.port == 6543)
        #expect(endpoint?.description == "postgres://shop@db.internal:6543/bigshop")
        #expect(PostgresEndpoint.urlHasPassword("postgres://shop:x@h/d"))
    }
}
