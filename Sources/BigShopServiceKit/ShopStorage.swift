public import BigShopStore

/// Where the shop's services keep their data: one SQLite file per service (the embedded
/// default), or one schema per service in one PostgreSQL database (replicas).
///
/// With PostgreSQL every service has its own schema (`auth`, `catalog`, `orders`, …), so a
/// consistent backup is one `pg_dump` and any service can move to its own database later.
public enum ShopStorage: Sendable, Hashable {
    /// `<directory>/<service>.sqlite`; the directory must exist.
    case sqlite(directory: String)
    /// One schema per service in one PostgreSQL database.
    case postgres(PostgresStorage)

    /// The database of the service `name`.
    public func location(forService name: String) -> DatabaseLocation {
        switch self {
        case .sqlite(let directory): .sqlite(path: directory + "/" + name + ".sqlite")
        case .postgres(let postgres): .postgres(postgres.endpoint, schema: postgres.schemaPrefix + name)
        }
    }

    /// The SQLite directory, or nil on PostgreSQL.
    public var directory: String? {
        guard case .sqlite(let directory) = self else { return nil }
        return directory
    }

    /// `configuration` with this storage's connection counts and the role of the service `name`.
    func adjusted(_ configuration: DatabaseConfiguration, forService name: String) -> DatabaseConfiguration {
        guard case .postgres(let postgres) = self else { return configuration }
        var adjusted = configuration
        adjusted.postgresWriterCount = postgres.writerConnections
        adjusted.readerCount = postgres.readerConnections
        adjusted.postgresRole = postgres.role(forService: name)
        return adjusted
    }
}

/// The shop's PostgreSQL database and how each service connects to it.
public struct PostgresStorage: Sendable, Hashable {
    /// The server, role and database.
    public var endpoint: PostgresEndpoint
    /// Prefixed to every service's schema name: empty in production; tests give each test
    /// its own schemas with it.
    public var schemaPrefix: String
    /// Connections per service running write transactions at once.
    public var writerConnections: Int
    /// Connections per service running read transactions at once.
    public var readerConnections: Int
    /// Prefixed to a service's schema to name its own role (`bigshop_` makes `bigshop_orders`),
    /// which its connections take with `SET ROLE`; nil (the default): every service works as
    /// the URL's login role. See ``DatabaseConfiguration/postgresRole``.
    public var rolePrefix: String?

    /// Creates the storage; per process, PostgreSQL sees up to 6 × (writers + readers)
    /// connections (six services with a database), plus one listening connection of
    /// orders (WatchOrder across replicas).
    public init(
        endpoint: PostgresEndpoint, schemaPrefix: String = "", writerConnections: Int = 4, readerConnections: Int = 2,
        rolePrefix: String? = nil
    ) {
        self.endpoint = endpoint
        self.schemaPrefix = schemaPrefix
        self.writerConnections = writerConnections
        self.readerConnections = readerConnections
        self.rolePrefix = rolePrefix
    }

    /// The role of the service `name`'s connections, or nil for the login role.
    public func role(forService name: String) -> String? {
        rolePrefix.map { $0 + schemaPrefix + name }
    }
}
