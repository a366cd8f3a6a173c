import Foundation
import PostgresNIO

/// Where a PostgreSQL server is and who to log in as, from a `postgres://` URL.
///
/// ```swift
/// let endpoint = try PostgresEndpoint(url: "postgres://bigshop@db1:5432/bigshop")
/// ```
///
/// The password may be in the URL (read it from the environment, never from a command
/// line) or given apart with ``password``. TLS follows libpq's URL parameters
/// (``PostgresTLS``): `postgres://bigshop@db1/bigshop?sslmode=verify-full&sslrootcert=/etc/bigshop/db-ca.pem`.
public struct PostgresEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The server's host name or address.
    public var host: String
    /// The server's TCP port. Default 5432.
    public var port: Int
    /// The role to log in as.
    public var username: String
    /// The role's password, if the server asks for one.
    public var password: String?
    /// The database to connect to.
    public var database: String
    /// TLS to the server; libpq's default, `sslmode=prefer`, unless the URL says otherwise.
    public var tls: PostgresTLS

    /// Creates an endpoint from its parts.
    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
        tls: PostgresTLS = .preferred
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAMETERS]` (`postgresql://`
    /// too), where the parameters may be libpq's `sslmode`, `sslrootcert`, `sslcert` and
    /// `sslkey` (``PostgresTLS``).
    ///
    /// - Throws: ``StoreError/invalidConfiguration(_:)`` naming what is missing or wrong,
    ///   never echoing the password.
    public init(url: String) throws {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw StoreError.invalidConfiguration("a PostgreSQL URL must look like postgres://user@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError.invalidConfiguration("the PostgreSQL URL has no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError.invalidConfiguration("the PostgreSQL URL has no user name")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError.invalidConfiguration("the PostgreSQL URL has no database name (…/DATABASE)")
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw StoreError.invalidConfiguration("the PostgreSQL URL's port is out of range")
        }
        self.init(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database,
            tls: try Self.tls(components.queryItems ?? []))
    }

    /// The TLS settings of the URL's parameters; an unknown parameter or `sslmode` is
    /// refused rather than ignored (a typo must not turn verification off).
    private static func tls(_ items: [URLQueryItem]) throws -> PostgresTLS {
        var values: [String: String] = [:]
        for item in items {
            guard ["sslmode", "sslrootcert", "sslcert", "sslkey"].contains(item.name) else {
                throw StoreError.invalidConfiguration(
                    "the PostgreSQL URL has a parameter '\(item.name)'; only sslmode, sslrootcert, sslcert and sslkey are understood")
            }
            guard let value = item.value, !value.isEmpty, values[item.name] == nil else {
                throw StoreError.invalidConfiguration("the PostgreSQL URL's \(item.name) must be given once, with a value")
            }
            values[item.name] = value
        }
        var mode = PostgresTLS.Mode.prefer
        if let name = values["sslmode"] {
            guard let given = PostgresTLS.Mode(rawValue: name) else {
                let supported = PostgresTLS.Mode.allCases.map(\.rawValue).joined(separator: ", ")
                throw StoreError.invalidConfiguration("the PostgreSQL URL's sslmode=\(name) is not one of \(supported)")
            }
            mode = given
        }
        return try PostgresTLS(mode: mode, rootCertificates: values["sslrootcert"], certificate: values["sslcert"], key: values["sslkey"])
    }

    /// postgres-nio's configuration of a connection to this endpoint, its TLS files read now.
    func driverConfiguration() throws -> PostgresConnection.Configuration {
        PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: try tls.driverSetting())
    }

    /// `true` when ``init(url:)`` would find a password in `url`.
    public static func urlHasPassword(_ url: String) -> Bool {
        URLComponents(string: url)?.password != nil
    }

    /// The URL without its password, for logs and errors.
    public var description: String {
        let query = tls.urlQuery
        return "postgres://\(username)@\(host):\(port)/\(database)" + (query.isEmpty ? "" : "?" + query)
    }
}
