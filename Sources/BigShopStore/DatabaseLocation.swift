/// Where a ``Database`` keeps its data: a SQLite file, or a schema of a PostgreSQL database.
public enum DatabaseLocation: Sendable, Hashable {
    /// A SQLite file (created if missing), in WAL mode.
    case sqlite(path: String)
    /// One schema of a PostgreSQL database (created if missing). The connections'
    /// `search_path` is that schema alone, so the same unqualified SQL serves both engines.
    case postgres(PostgresEndpoint, schema: String)

    /// The engine.
    public var dialect: SQLDialect {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// The file path, or `postgres://user@host:port/database#schema` (no password).
    public var displayName: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let endpoint, let schema): "\(endpoint)#\(schema)"
        }
    }

    /// The `database` label of the metrics: the file's name without its extension
    /// (`orders` for `data/orders.sqlite`), or the schema.
    var metricsName: String {
        switch self {
        case .sqlite(let path):
            let file = path.split(separator: "/").last.map(String.init) ?? path
            return file.split(separator: ".").first.map(String.init) ?? file
        case .postgres(_, let schema): return schema
        }
    }

    /// Opens one connection on the calling (database) thread and runs the configuration's
    /// ``DatabaseConfiguration/prepareConnection`` on it.
    func open(isWriter: Bool, configuration: DatabaseConfiguration) throws -> Connection {
        let connection: Connection
        switch self {
        case .sqlite(let path):
            connection = Connection(.sqlite(try SQLiteConnection.open(path: path, isWriter: isWriter, configuration: configuration)))
        case .postgres(let endpoint, let schema):
            connection = Connection(
                .postgres(
                    try PostgresSession.open(endpoint: endpoint, schema: schema, isWriter: isWriter, configuration: configuration)))
        }
        try configuration.prepareConnection?(connection)
        return connection
    }
}
