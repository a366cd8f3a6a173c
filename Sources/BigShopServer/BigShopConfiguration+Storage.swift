public import BigShopServiceKit
import BigShopStore

/// The storage engines `bigshop serve --store` accepts.
public enum StoreEngine: String, Sendable, Codable, CaseIterable {
    /// One SQLite file per service under the data directory (the embedded default).
    case sqlite
    /// One schema per service in one PostgreSQL database.
    case postgres
}

extension BigShopConfiguration {
    /// The environment variable holding the whole PostgreSQL URL, password included.
    public static let postgresURLVariable = "BIGSHOP_POSTGRES_URL"
    /// The environment variable holding the PostgreSQL password alone.
    public static let postgresPasswordVariable = "BIGSHOP_POSTGRES_PASSWORD"

    /// Where the services keep their data, from ``store``, ``dataDirectory``,
    /// ``postgresURL`` and the environment.
    ///
    /// - Throws: ``BigShopConfigurationError`` when PostgreSQL is chosen without
    ///   a URL, when ``postgresURL`` carries a password (it may come from a
    ///   command line, which other users can read), or when the URL is malformed.
    public func shopStorage(environment: [String: String]) throws -> ShopStorage {
        switch store {
        case .sqlite:
            return .sqlite(directory: dataDirectory)
        case .postgres:
            let url: String
            if let postgresURL {
                guard !PostgresEndpoint.urlHasPassword(postgresURL) else {
                    throw BigShopConfigurationError(
                        "postgresURL (--postgres-url) must not contain a password: put it in \(Self.postgresPasswordVariable), or the whole URL in \(Self.postgresURLVariable)"
                    )
                }
                url = postgresURL
            } else if let fromEnvironment = environment[Self.postgresURLVariable], !fromEnvironment.isEmpty {
                url = fromEnvironment
            } else {
                throw BigShopConfigurationError(
                    "--store postgres needs the database: --postgres-url postgres://USER@HOST:PORT/DATABASE or \(Self.postgresURLVariable)")
            }
            var endpoint: PostgresEndpoint
            do {
                endpoint = try PostgresEndpoint(url: url)
            } catch {
                throw BigShopConfigurationError("the PostgreSQL URL is not valid: \(error)")
            }
            if endpoint.password == nil, let password = environment[Self.postgresPasswordVariable], !password.isEmpty {
                endpoint.password = password
            }
            return .postgres(
                PostgresStorage(
                    endpoint: endpoint, writerConnections: postgresWriterConnections,
                    rolePrefix: postgresServiceRoles ? postgresRolePrefix : nil))
        }
    }
}
