public import BigShopStore

/// A named lease in a service's database: at most one instance at a time holds it, and
/// every takeover raises its **epoch**, a fencing token.
///
/// A singleton role (the flash sale's owner, the checkout saga's recovery) runs only where
/// its lease is held; the holder renews it well before it expires, and a standby takes it
/// over once it has expired. Times come from the database's clock, so hosts' clocks do
/// not matter. Correctness does not rest on the timing either: every write the role makes
/// calls ``checkFence(epoch:in:)`` in the same transaction, so an old holder that was
/// paused past its lease (a stop-the-world pause, `SIGSTOP`) commits nothing once another
/// instance has taken over.
///
/// ```sql
/// CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, address TEXT NOT NULL,
///     epoch INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL)
/// ```
public struct ServiceLease: Sendable {
    /// The role, e.g. `flashsale-owner`.
    public let name: String
    /// This instance (unique per process start).
    public let holder: String
    /// Where this instance serves its internal API (`host:port`), for the others to forward
    /// to; empty when it has none.
    public let address: String
    /// How long a lease lasts without renewal.
    public let ttlMs: Int64

    /// Creates a lease handle for this instance.
    public init(name: String, holder: String, address: String, ttlMs: Int64 = 3_000) {
        self.name = name
        self.holder = holder
        self.address = address
        self.ttlMs = ttlMs
    }

    /// The `leases` table, as a migration of the service that owns the role.
    public static func migration(version: Int) -> Migration {
        Migration(
            version: version, name: "leases of singleton roles, with fencing epochs",
            sql: """
                CREATE TABLE leases (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    address TEXT NOT NULL,
                    epoch INTEGER NOT NULL CHECK (epoch > 0),
                    expires_at_ms INTEGER NOT NULL
                );
                """)
    }

    /// Who holds a lease, as last written.
    public struct State: Sendable, Equatable {
        /// The holding instance.
        public var holder: String
        /// Its internal address (may be empty).
        public var address: String
        /// The fencing epoch of its tenure.
        public var epoch: Int64
        /// When it lapses unless renewed (database clock, ms since 1970).
        public var expiresAtMs: Int64
    }

    /// The result of ``acquire(in:)``.
    public enum Outcome: Sendable, Equatable {
        /// This instance holds the lease, in this epoch (new when `tookOver`).
        case held(epoch: Int64, tookOver: Bool)
        /// Another live instance holds it.
        case heldByOther(State)
    }

    /// Takes the lease if it is free or expired (a new epoch), renews it if this instance
    /// holds it, or reports the holder. Run it in a write transaction.
    ///
    /// - Parameter evenIfLive: take it over even from a live holder: for a process that
    ///   knows it is the only one, e.g. at the start of a process on a SQLite file (one
    ///   process per file), whose previous incarnation may have died holding it.
    public func acquire(in connection: Connection, evenIfLive: Bool = false) throws -> Outcome {
        let nowMs = try Self.databaseNowMs(connection)
        guard let current = try Self.state(of: name, in: connection) else {
            try connection.run(
                "INSERT INTO leases (name, holder, address, epoch, expires_at_ms) VALUES (?, ?, ?, 1, ?)",
                .text(name), .text(holder), .text(address), .integer(nowMs + ttlMs))
            return .held(epoch: 1, tookOver: true)
        }
        if current.holder == holder {
            try connection.run(
                "UPDATE leases SET expires_at_ms = ?, address = ? WHERE name = ? AND epoch = ?",
                .integer(nowMs + ttlMs), .text(address), .text(name), .integer(current.epoch))
            return .held(epoch: current.epoch, tookOver: false)
        }
        guard current.expiresAtMs <= nowMs || evenIfLive else { return .heldByOther(current) }
        try connection.run(
            "UPDATE leases SET holder = ?, address = ?, epoch = ?, expires_at_ms = ? WHERE name = ? AND epoch = ?",
            .text(holder), .text(address), .integer(current.epoch + 1), .integer(nowMs + ttlMs), .text(name),
            .integer(current.epoch))
        return .held(epoch: current.epoch + 1, tookOver: true)
    }

    /// Lets the lease lapse now, if this instance holds it, so a standby takes over at its
    /// next try instead of waiting for the expiry (a graceful shutdown).
    public func release(in connection: Connection) throws {
        try connection.run(
            "UPDATE leases SET expires_at_ms = 0 WHERE name = ? AND holder = ?", .text(name), .text(holder))
    }

    /// Throws ``ServiceLeaseError/lost(name:epoch:)`` unless this instance still holds the
    /// lease in `epoch`. Call it inside every write transaction of the role: the check and
    /// the write commit together or not at all.
    public func checkFence(epoch: Int64, in connection: Connection) throws {
        // FOR SHARE on PostgreSQL: a takeover (an UPDATE of this row) waits until this
        // transaction has ended, so the new holder, reading after its takeover, sees every
        // write fenced with the old epoch. Without it, SERIALIZABLE may commit such a
        // write after the takeover (it orders it before), unseen by the new holder's
        // rebuild. SQLite has one writer: nothing can interleave.
        let lock = connection.dialect == .postgres ? " FOR SHARE" : ""
        let row = try connection.queryOne(
            "SELECT 1 FROM leases WHERE name = ? AND holder = ? AND epoch = ?" + lock, .text(name), .text(holder),
            .integer(epoch))
        guard row != nil else { throw ServiceLeaseError.lost(name: name, epoch: epoch) }
    }

    /// The lease's row, if it was ever taken.
    public static func state(of name: String, in connection: Connection) throws -> State? {
        guard
            let row = try connection.queryOne(
                "SELECT holder, address, epoch, expires_at_ms FROM leases WHERE name = ?", .text(name))
        else { return nil }
        return State(
            holder: try row.string(0), address: try row.string(1), epoch: try row.int64(2), expiresAtMs: try row.int64(3))
    }

    /// Milliseconds since 1970 by the database's clock (the time of the statement).
    static func databaseNowMs(_ connection: Connection) throws -> Int64 {
        let sql =
            connection.dialect == .postgres
            ? "SELECT CAST(floor(extract(epoch FROM clock_timestamp()) * 1000) AS BIGINT)"
            : "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
        return try connection.queryOne(sql)?.int64(0) ?? 0
    }
}

/// Why a singleton role's write was refused.
public enum ServiceLeaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another instance took the lease over after `epoch`: this one must stop acting.
    case lost(name: String, epoch: Int64)

    public var description: String {
        switch self {
        case .lost(let name, let epoch): "the lease \(name) was taken over after epoch \(epoch)"
        }
    }
}
