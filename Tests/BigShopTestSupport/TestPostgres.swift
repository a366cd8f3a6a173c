public import BigShopServiceKit
public import BigShopStore
import Foundation
import Synchronization

/// The throw-away PostgreSQL server of a test run, if there is one.
///
/// `scripts/test` (through `scripts/with-postgres`) starts a cluster and exports
/// `BIGSHOP_TEST_POSTGRES_URL`; tests that need PostgreSQL are enabled only then. Setting
/// `BIGSHOP_TEST_STORE=postgres` as well runs the service suites on PostgreSQL instead of
/// SQLite (``TestStorage``).
public enum TestPostgres {
    /// The server, from `BIGSHOP_TEST_POSTGRES_URL`.
    public static let endpoint: PostgresEndpoint? = {
        guard let url = ProcessInfo.processInfo.environment["BIGSHOP_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return try? PostgresEndpoint(url: url)
    }()

    /// `true` when a server is available.
    public static var isAvailable: Bool { endpoint != nil }

    /// `true` when `BIGSHOP_TEST_STORE=postgres` asks the service suites to run on PostgreSQL.
    public static var isSelectedForServices: Bool {
        ProcessInfo.processInfo.environment["BIGSHOP_TEST_STORE"] == "postgres" && isAvailable
    }

    /// The service roles' prefix when `BIGSHOP_TEST_POSTGRES_ROLES=1` asks the service
    /// suites to run each service as a role of its own (``PostgresStorage/rolePrefix``).
    public static var serviceRolePrefix: String? {
        ProcessInfo.processInfo.environment["BIGSHOP_TEST_POSTGRES_ROLES"] == "1" ? "r_" : nil
    }

    private static let counter = Atomic<Int>(0)

    /// A schema name no other test uses (lowercase, ≤ 63 bytes): `prefix_<pid>_<n>_<random>`.
    public static func uniqueSchema(_ prefix: String = "t") -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        let random = UInt32.random(in: 0..<UInt32.max)
        return "\(prefix)_\(getpid())_\(n)_\(String(random, radix: 36))"
    }

    /// A location in a fresh schema of the test server.
    public static func freshLocation(_ prefix: String = "t") -> DatabaseLocation? {
        endpoint.map { .postgres($0, schema: uniqueSchema(prefix)) }
    }

    /// Runs `body` on a writer connection of the test server's superuser (schema `public`).
    private static func asSuperuser<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        guard let endpoint else { throw StoreError.invalidConfiguration("no BIGSHOP_TEST_POSTGRES_URL") }
        let admin = try await Database(
            location: .postgres(endpoint, schema: "public"), configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        do {
            let result = try await admin.writeWithoutTransaction(body)
            await admin.close()
            return result
        } catch {
            await admin.close()
            throw error
        }
    }

    /// Terminates the server processes of every connection the store opened for `schema`
    /// (as an operator's `pg_terminate_backend` would, or a failover) and returns how many.
    public static func terminateConnections(of schema: String) async throws -> Int {
        guard isAvailable else { return 0 }
        let row = try await asSuperuser {
            try $0.queryOne(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = ?",
                "bigshop:\(schema)")
        }
        return try row?.int("n") ?? 0
    }

    /// Drops `schema` and everything in it (best effort, for cleanup).
    public static func dropSchema(_ schema: String) async {
        _ = try? await asSuperuser { try $0.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
    }

    /// Runs `sql` (statements separated by `;`) as the test server's superuser.
    public static func runAsSuperuser(_ sql: String) async throws {
        try await asSuperuser { try $0.execute(sql) }
    }

    /// A new role that logs in, is no superuser, has `attributes` (e.g. `CREATEROLE`) and
    /// may create schemas in the test database: the URL's role of a careful deployment.
    /// Returns the endpoint that logs in as it (trust authentication: no password).
    public static func makeLoginRole(_ attributes: String = "") async throws -> PostgresEndpoint {
        guard var login = endpoint else { throw StoreError.invalidConfiguration("no BIGSHOP_TEST_POSTGRES_URL") }
        let name = uniqueSchema("login")
        try await runAsSuperuser("CREATE ROLE \(name) LOGIN \(attributes); GRANT CREATE ON DATABASE \(login.database) TO \(name)")
        login.username = name
        return login
    }

    /// Drops each role with what it owns and what it was granted (best effort, for
    /// cleanup; drop the schemas first).
    public static func dropRoles(_ roles: [String]) async {
        for role in roles {
            try? await runAsSuperuser("DROP OWNED BY \(role); DROP ROLE IF EXISTS \(role)")
        }
    }
}

/// The storage the service suites use for a test's data directory.
public enum TestStorage {
    /// SQLite files in `directory`; or, with `BIGSHOP_TEST_STORE=postgres`, schemas of
    /// the test server named after `directory` (`d<hash>_orders`, …), so a test that
    /// reopens the same directory reopens the same data, as with files.
    public static func forDirectory(_ directory: String) -> ShopStorage {
        guard TestPostgres.isSelectedForServices, let endpoint = TestPostgres.endpoint else {
            return .sqlite(directory: directory)
        }
        return .postgres(
            PostgresStorage(
                endpoint: endpoint, schemaPrefix: schemaPrefix(for: directory), writerConnections: 1, readerConnections: 1,
                rolePrefix: TestPostgres.serviceRolePrefix))
    }

    /// `d` + a 64-bit FNV-1a hash of the path in base 36 + `_`.
    static func schemaPrefix(for directory: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in directory.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return "d" + String(hash, radix: 36) + "_"
    }
}

extension TestStorage {
    /// Everything the services of `directory` stored, as text, by file (SQLite: each file's
    /// bytes, non-ASCII as `?`) or by table (PostgreSQL: every row of every table of the
    /// directory's schemas, as `schema.table`): for scans that nothing secret was written.
    public static func storedText(directory: String) async throws -> [String: String] {
        guard case .postgres(let postgres) = forDirectory(directory) else {
            var texts: [String: String] = [:]
            for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
                texts[file] = String(decoding: bytes.map { $0 < 0x80 ? $0 : 0x3F }, as: UTF8.self)
            }
            return texts
        }
        let database = try await Database(
            location: .postgres(postgres.endpoint, schema: "public"),
            configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        do {
            let texts = try await database.read { connection -> [String: String] in
                var texts: [String: String] = [:]
                let tables = try connection.query(
                    "SELECT table_schema, table_name FROM information_schema.tables WHERE starts_with(table_schema, ?)",
                    .text(postgres.schemaPrefix))
                for table in tables {
                    let name = try table.string(0) + "." + table.string(1)
                    texts[name] = try connection.queryOne("SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM \(name) t")?.string(0)
                }
                return texts
            }
            await database.close()
            return texts
        } catch {
            await database.close()
            throw error
        }
    }
}
