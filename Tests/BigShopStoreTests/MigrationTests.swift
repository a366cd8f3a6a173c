import Foundation
import Testing

@testable import BigShopStore

@Suite("Migrations", .timeLimit(.minutes(2)))
struct MigrationTests {
    static let inventoryV1 = Migration(
        version: 1, name: "create items",
        sql: """
            CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, stock INTEGER NOT NULL DEFAULT 0);
            """)
    static let inventoryV2 = Migration(
        version: 2, name: "add price",
        sql: """
            ALTER TABLE items ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX items_name ON items(name);
            """)
    static let inventoryV3 = Migration(version: 3, name: "seed") { conn in
        try conn.run("INSERT INTO items(name, stock, price_cents) VALUES (?, ?, ?)", "mug", 10, 899)
    }

    static func versions(_ db: Database, _ namespace: String) async throws -> [Int] {
        try await db.read { conn in
            try conn.query("SELECT version FROM schema_migrations WHERE namespace = ? ORDER BY version", namespace)
                .map { try $0.int(0) }
        }
    }

    @Test func migrationsApplyOnceAndAreIdempotentAcrossReopen() async throws {
        try await withTemporaryDirectory { dir in
            let two = Migrator(namespace: "inventory", migrations: [Self.inventoryV1, Self.inventoryV2])
            let db = try await openDatabase(dir)
            #expect(try await two.currentVersion(in: db) == 0)
            #expect(try await db.migrate(two) == [1, 2])
            #expect(try await db.migrate(two) == [])
            #expect(try await two.currentVersion(in: db) == 2)
            await db.close()

            let reopened = try await openDatabase(dir)
            #expect(try await reopened.migrate(two) == [])
            let three = Migrator(namespace: "inventory", migrations: [Self.inventoryV1, Self.inventoryV2, Self.inventoryV3])
            #expect(try await reopened.migrate(three) == [3])
            #expect(try await reopened.migrate(three) == [])
            #expect(try await Self.versions(reopened, "inventory") == [1, 2, 3])
            let price = try await reopened.read { try $0.queryOne("SELECT price_cents FROM items WHERE name = 'mug'")!.int(0) }
            #expect(price == 899)
            let names = try await reopened.read { conn in
                try conn.query("SELECT name FROM schema_migrations WHERE namespace = 'inventory' ORDER BY version")
                    .map { try $0.string(0) }
            }
            #expect(names == ["create items", "add price", "seed"])
            await reopened.close()
        }
    }

    @Test func refusesDatabaseNewerThanCode() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            try await db.migrate(Migrator(namespace: "inventory", migrations: [Self.inventoryV1, Self.inventoryV2, Self.inventoryV3]))
            await db.close()

            let old = try await openDatabase(dir)
            let olderBuild = Migrator(namespace: "inventory", migrations: [Self.inventoryV1, Self.inventoryV2])
            await #expect(throws: MigrationError.databaseNewerThanCode(namespace: "inventory", databaseVersion: 3, latestKnownVersion: 2)) {
                try await old.migrate(olderBuild)
            }
            let message = String(
                describing: MigrationError.databaseNewerThanCode(
                    namespace: "inventory", databaseVersion: 3, latestKnownVersion: 2))
            #expect(message.contains("version 3"))
            #expect(message.contains("up to version 2"))
            #expect(try await Self.versions(old, "inventory") == [1, 2, 3])  // untouched
            await old.close()
        }
    }

    @Test func namespacesAreIndependent() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let inventory = Migrator(namespace: "inventory", migrations: [Self.inventoryV1, Self.inventoryV2])
            let orders = Migrator(
                namespace: "orders",
                migrations: [
                    Migration(
                        version: 1, name: "create orders",
                        sql: """
                            CREATE TABLE orders(id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id), qty INTEGER NOT NULL);
                            """)
                ])
            #expect(try await db.migrate(inventory) == [1, 2])
            #expect(try await db.migrate(orders) == [1])
            #expect(try await Self.versions(db, "inventory") == [1, 2])
            #expect(try await Self.versions(db, "orders") == [1])
            // Orders at v1 does not make inventory "newer", and vice versa.
            let ordersV2 = Migrator(
                namespace: "orders",
                migrations: orders.migrations + [
                    Migration(version: 2, name: "index", sql: "CREATE INDEX orders_item ON orders(item_id)")
                ])
            #expect(try await db.migrate(ordersV2) == [2])
            #expect(try await db.migrate(inventory) == [])
            await #expect(throws: MigrationError.self) { try await db.migrate(orders) }  // orders is at 2 now
            // Foreign keys are enforced across namespaces.
            let fk = await #expect(throws: SQLiteError.self) {
                try await db.write { try $0.run("INSERT INTO orders(item_id, qty) VALUES (999, 1)") }
            }
            #expect(fk?.isForeignKeyViolation == true)
            await db.close()
        }
    }

    @Test func failingMigrationLeavesNoTrace() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let broken = Migrator(
                namespace: "inventory",
                migrations: [
                    Self.inventoryV1,
                    Migration(
                        version: 2, name: "broken",
                        sql: """
                            CREATE TABLE extra(x);
                            INSERT INTO no_such_table VALUES (1);
                            """),
                ])
            let error = await #expect(throws: MigrationError.self) { try await db.migrate(broken) }
            guard case .migrationFailed(let namespace, let version, let name, let underlying)? = error else {
                Issue.record("unexpected error \(String(describing: error))")
                return
            }
            #expect(namespace == "inventory" && version == 2 && name == "broken")
            #expect(underlying.contains("no such table"))
            #expect(try await Self.versions(db, "inventory") == [1])
            let extraExists = try await db.read {
                try $0.queryOne("SELECT count(*) FROM sqlite_schema WHERE name = 'extra'")!.int(0)
            }
            #expect(extraExists == 0)
            await db.close()
        }
    }

    @Test func invalidMigrationListsAreRejected() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            await #expect(throws: MigrationError.self) {
                try await db.migrate(Migrator(namespace: "x", migrations: [Self.inventoryV2, Self.inventoryV1]))
            }
            await #expect(throws: MigrationError.self) {
                try await db.migrate(Migrator(namespace: "x", migrations: [Self.inventoryV1, Self.inventoryV1]))
            }
            await #expect(throws: MigrationError.self) {
                try await db.migrate(Migrator(namespace: "", migrations: [Self.inventoryV1]))
            }
            await db.close()
        }
    }

    @Test func tableRebuildWithForeignKeysDisabled() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await openDatabase(dir)
            let migrator = Migrator(
                namespace: "catalog",
                migrations: [
                    Migration(
                        version: 1, name: "create",
                        sql: """
                            CREATE TABLE category(id INTEGER PRIMARY KEY, name TEXT);
                            CREATE TABLE product(id INTEGER PRIMARY KEY, category_id INTEGER NOT NULL REFERENCES category(id));
                            INSERT INTO category VALUES (1, 'cups');
                            INSERT INTO product VALUES (10, 1);
                            """),
                    // The SQLite "12-step" rebuild: make category.name NOT NULL.
                    Migration(version: 2, name: "rebuild category", disablesForeignKeys: true) { conn in
                        try conn.execute(
                            """
                            CREATE TABLE category_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                            INSERT INTO category_new SELECT id, coalesce(name, '') FROM category;
                            DROP TABLE category;
                            ALTER TABLE category_new RENAME TO category;
                            """)
                    },
                ])
            #expect(try await db.migrate(migrator) == [1, 2])
            let (products, foreignKeys) = try await db.write { conn in
                (
                    try conn.queryOne("SELECT count(*) FROM product JOIN category ON category.id = product.category_id")!.int(0),
                    try conn.queryOne("PRAGMA foreign_keys")!.int(0)
                )
            }
            #expect(products == 1)
            #expect(foreignKeys == 1)  // restored after the migration
            await db.close()
        }
    }
}
