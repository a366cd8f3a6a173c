import NIOCore

#if canImport(Glibc)
    public import Glibc
#elseif canImport(Darwin)
    public import Darwin
#endif

/// Settings of a ``Database``.
public struct DatabaseConfiguration: Sendable {
    /// Durability of commits; see ``SynchronousMode`` for the trade-off. Default `.normal`.
    public var synchronous: SynchronousMode
    /// How long a connection waits for a lock held by another connection (another process
    /// or another `Database` on the same file) before failing with `SQLITE_BUSY`. Default 5 s.
    public var busyTimeout: Duration
    /// Number of reader connections, each on its own thread. Default 4; minimum 1.
    public var readerCount: Int
    /// PostgreSQL only: writer connections, each on its own thread, so that this many write
    /// transactions run at once (SQLite always has exactly one writer). Default 4; minimum 1.
    public var postgresWriterCount: Int
    /// PostgreSQL only: how long a database thread waits for one statement's answer before
    /// it gives the connection up as dead (a paused or partitioned server answers nothing).
    /// The statement fails with SQLSTATE 08006 or 08007 and the next one reconnects.
    /// Default 30 s.
    public var postgresStatementTimeout: Duration
    /// PostgreSQL only: the role each connection takes with `SET ROLE` right after it
    /// connects (and after every reconnection), so that the database's statements run with
    /// that role's privileges alone; it owns the schema (see ``PostgresServiceRole``). nil
    /// (the default): the login role of the URL. Lowercase letters, digits and `_`.
    public var postgresRole: String?
    /// Maximum number of ``Database/writeBatched(_:)`` bodies committed in one transaction.
    /// Default 256.
    public var maxBatchSize: Int
    /// Prepared statements cached per connection (LRU). Default 64.
    public var statementCacheCapacity: Int
    /// The permissions of the database file and of SQLite's `-wal`, `-shm` and
    /// `-journal` files: a new file gets exactly these (whatever the umask), and
    /// existing ones lose any permission beyond them. Default 0o600 (the owner
    /// only: the files may hold password hashes and payments); nil leaves them
    /// to SQLite and the umask.
    public var filePermissions: mode_t?
    /// Called on each new connection (writer and readers) after the built-in pragmas, on the
    /// connection's own thread, e.g. to set `cache_size` or register functions.
    public var prepareConnection: (@Sendable (Connection) throws -> Void)?

    /// Creates a configuration; every argument has the documented default.
    public init(
        synchronous: SynchronousMode = .normal,
        busyTimeout: Duration = .seconds(5),
        readerCount: Int = 4,
        postgresWriterCount: Int = 4,
        postgresStatementTimeout: Duration = .seconds(30),
        postgresRole: String? = nil,
        maxBatchSize: Int = 256,
        statementCacheCapacity: Int = 64,
        filePermissions: mode_t? = 0o600,
        prepareConnection: (@Sendable (Connection) throws -> Void)? = nil
    ) {
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.readerCount = readerCount
        self.postgresWriterCount = postgresWriterCount
        self.postgresStatementTimeout = postgresStatementTimeout
        self.postgresRole = postgresRole
        self.maxBatchSize = maxBatchSize
        self.statementCacheCapacity = statementCacheCapacity
        self.filePermissions = filePermissions
        self.prepareConnection = prepareConnection
    }

    /// The busy timeout in whole milliseconds, clamped to `0...Int32.max`.
    var busyTimeoutMilliseconds: Int32 {
        let (seconds, attoseconds) = busyTimeout.components
        let milliseconds = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }

    /// The statement timeout as a NIO time amount, at least 1 ms.
    var postgresStatementTimeoutAmount: TimeAmount {
        let (seconds, attoseconds) = postgresStatementTimeout.components
        return .nanoseconds(max(1_000_000, seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }

    func validate() throws {
        guard readerCount >= 1 else {
            throw StoreError.invalidConfiguration("readerCount must be at least 1, got \(readerCount)")
        }
        guard postgresWriterCount >= 1 else {
            throw StoreError.invalidConfiguration("postgresWriterCount must be at least 1, got \(postgresWriterCount)")
        }
        guard maxBatchSize >= 1 else {
            throw StoreError.invalidConfiguration("maxBatchSize must be at least 1, got \(maxBatchSize)")
        }
        guard busyTimeout >= .zero else {
            throw StoreError.invalidConfiguration("busyTimeout must not be negative")
        }
    }
}
