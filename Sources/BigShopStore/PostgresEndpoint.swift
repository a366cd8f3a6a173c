import Foundation

/// Where a PostgreSQL server is and who to log in as, from a `postgres://` URL.
///
/// ```swift
/// let endpoint = try PostgresEndpoint(url: "postgres://bigshop@db1:5432/bigshop")
/// ```
///
/// The password may be in the URL (read it from the environment, never from a command
/// line) or given apart with ``password``. TLS to the server is not supported yet: run the
/// database on a private network or a loopback tunnel.
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

    /// Creates an endpoint from its parts.
    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (`postgresql://` too).
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
            password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database)
    }

    /// `true` when ``init(url:)`` would find a password in `url`.
    public static func urlHasPassword(_ url: String) -> Bool {
        URLComponents(string: url)?.password != nil
    }

    /// The URL without its password, for logs and errors.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }
}
