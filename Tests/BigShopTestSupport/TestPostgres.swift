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

    /// Drops `schema` and everything in it (best effort, for cleanup).
    public static func dropSchema(_ schema: String) async {
        guard let endpoint else { return }
        guard let admin = try? await Database(
            location: .postgres(endpoint, schema: "public"), configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        else { return }
        _ = try? await admin.writeWithoutTransaction { try $0.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        await admin.close()
    }
}
