import BigShopTestSupport
import Foundation
import Testing

@testable import BigShopStore

/// A role per service (``DatabaseConfiguration/postgresRole``) on a real cluster, logged
/// in as a role that is not a superuser, as a deployment would be: each service's
/// connections `SET ROLE` to a NOLOGIN role that owns its schema, so one service cannot
/// read or write another's tables (42501), also after a reconnection; roles are created
/// when the login role may, and a clear error says what to run when it may not.
@Suite(
    "PostgreSQL service roles", .enabled(if: TestPostgres.isAvailable, "needs BIGSHOP_TEST_POSTGRES_URL (scripts/with-postgres)"),
    .timeLimit(.minutes(3)))
struct PostgresServiceRoleTests {
    static let migrator = Migrator(
        namespace: "notes",
        migrations: [
            Migration(
                version: 1, name: "notes",
                sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT NOT NULL COLLATE NOCASE);")
        ])

    /// A login role of its own (no superuser), the roles and schemas a test made, and
    /// their removal.
    struct Cluster {
        let endpoint: PostgresEndpoint
        var schemas: [String] = []
        var roles: [String]

        var login: String { endpoint.username }

        init(_ attributes: String) async throws {
            endpoint = try await TestPostgres.makeLoginRole(attributes)
            roles = [endpoint.username]
        }

        /// A schema and the role that goes with it (`<schema>_role`), to be removed later.
        mutating func service(_ prefix: String) -> (schema: String, role: String) {
            let schema = TestPostgres.uniqueSchema(prefix)
            schemas.append(schema)
            roles.append(schema + "_role")
            return (schema, schema + "_role")
        }

        /// Opens the service's database as the login role, in the service's role.
        func open(_ service: (schema: String, role: String), writers: Int = 1, readers: Int = 1) async throws -> Database {
            try await Database(
                location: .postgres(endpoint, schema: service.schema),
                configuration: DatabaseConfiguration(readerCount: readers, postgresWriterCount: writers, postgresRole: service.role))
        }

        func remove() async {
            for schema in schemas { await TestPostgres.dropSchema(schema) }
            await TestPostgres.dropRoles(roles.reversed())
        }
    }

    func withCluster(_ attributes: String, _ body: (inout Cluster) async throws -> Void) async throws {
        var cluster = try await Cluster(attributes)
        do {
            try await body(&cluster)
        } catch {
            await cluster.remove()
            throw error
        }
        await cluster.remove()
    }

    @Test func oneServiceCannotTouchAnothersTablesEvenAfterAReconnection() async throws {
        try await withCluster("CREATEROLE") { cluster in
            let orders = cluster.service("orders")
            let payments = cluster.service("payments")
            let ordersDB = try await cluster.open(orders, writers: 2, readers: 2)
            let paymentsDB = try await cluster.open(payments)
            try await ordersDB.migrate(Self.migrator)
            try await paymentsDB.migrate(Self.migrator)
            try await paymentsDB.write { try $0.run("INSERT INTO notes (note) VALUES ('card approved')") }

            // Each service works as its own role, which owns its schema.
            let who = try await ordersDB.read { try $0.queryOne("SELECT current_user::text, session_user::text")! }
            #expect(try who.string(0) == orders.role)
            #expect(try who.string(1) == cluster.login)
            let owner = try await ordersDB.read {
                try $0.queryOne("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = ?", .text(orders.schema))!.string(0)
            }
            #expect(owner == orders.role)

            func expectDenied() async throws {
                let read = await #expect(throws: PostgresError.self) {
                    try await ordersDB.read { try $0.query("SELECT * FROM \(payments.schema).notes") }
                }
                #expect(read?.sqlState == "42501", "\(String(describing: read))")
                let write = await #expect(throws: PostgresError.self) {
                    try await ordersDB.write { try $0.run("INSERT INTO \(payments.schema).notes (note) VALUES ('forged')") }
                }
                #expect(write?.sqlState == "42501", "\(String(describing: write))")
            }
            try await expectDenied()

            // Every connection of orders dies; the new ones take the role again.
            #expect(try await TestPostgres.terminateConnections(of: orders.schema) == 4)
            try await ordersDB.write { try $0.run("INSERT INTO notes (note) VALUES ('after')") }
            #expect(try await ordersDB.read { try $0.queryOne("SELECT current_user::text")!.string(0) } == orders.role)
            #expect(try await ordersDB.write { try $0.queryOne("SELECT current_user::text")!.string(0) } == orders.role)
            try await expectDenied()
            #expect(try await paymentsDB.read { try $0.queryOne("SELECT count(*) FROM notes")!.int(0) } == 1)
            await ordersDB.close()
            await paymentsDB.close()
        }
    }

    @Test func withoutCreateRoleTheStartSaysWhatToRun() async throws {
        try await withCluster("") { cluster in
            let catalog = cluster.service("catalog")
            let error = await #expect(throws: StoreError.self) { _ = try await cluster.open(catalog) }
            let message = "\(error.map(String.init(describing:)) ?? "")"
            #expect(message.contains("role \(catalog.role) (schema \(catalog.schema)) does not exist"), "\(message)")
            #expect(message.contains("CREATE ROLE \(catalog.role) NOLOGIN; GRANT \(catalog.role) TO \(cluster.login);"), "\(message)")

            // An operator runs what it says; the service then makes its schema itself.
            try await TestPostgres.runAsSuperuser("CREATE ROLE \(catalog.role) NOLOGIN; GRANT \(catalog.role) TO \(cluster.login)")
            let db = try await cluster.open(catalog)
            try await db.migrate(Self.migrator)
            #expect(try await db.read { try $0.queryOne("SELECT current_user::text")!.string(0) } == catalog.role)
            await db.close()

            // A role that exists but is not granted: the error names the GRANT.
            let other = cluster.service("auth")
            try await TestPostgres.runAsSuperuser("CREATE ROLE \(other.role) NOLOGIN")
            let notMember = await #expect(throws: StoreError.self) { _ = try await cluster.open(other) }
            #expect("\(notMember.map(String.init(describing:)) ?? "")".contains("GRANT \(other.role) TO \(cluster.login);"))
        }
    }

    @Test func aSchemaMadeWithoutRolesIsHandedToTheServiceRole() async throws {
        try await withCluster("CREATEROLE") { cluster in
            let auth = cluster.service("auth")
            // As before service roles: everything belongs to the login role.
            let before = try await Database(
                location: .postgres(cluster.endpoint, schema: auth.schema),
                configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
            try await before.migrate(Self.migrator)
            try await before.write { try $0.run("INSERT INTO notes (note) VALUES ('kept')") }
            await before.close()

            let db = try await cluster.open(auth)
            try await db.migrate(Self.migrator)
            try await db.write { try $0.run("INSERT INTO notes (note) VALUES ('added')") }
            #expect(try await db.read { try $0.query("SELECT note FROM notes ORDER BY id").map { try $0.string(0) } } == ["kept", "added"])
            let foreign = try await db.read {
                try $0.queryOne(
                    """
                    SELECT (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relowner <> n.nspowner)
                        + (SELECT count(*) FROM pg_collation k WHERE k.collnamespace = n.oid AND k.collowner <> n.nspowner),
                        n.nspowner::regrole::text
                    FROM pg_namespace n WHERE n.nspname = ?
                    """, .text(auth.schema))!
            }
            #expect(try foreign.int(0) == 0, "objects of the schema still belong to another role")
            #expect(try foreign.string(1) == auth.role)
            await db.close()
        }
    }
}
