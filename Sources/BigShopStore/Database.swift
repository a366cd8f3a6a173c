import DedicatedThread
import Tracing

/// A database served by writer and reader threads, each owning one connection: a SQLite
/// file (one writer, the embedded default) or a schema of a PostgreSQL database (several
/// writers, for replicas; see ``DatabaseLocation``).
///
/// ```swift
/// let db = try await Database(path: "/var/lib/bigshop/shop.sqlite")
/// try await db.migrate(inventoryMigrator)
/// let id = try await db.write { conn in
///     try conn.run("INSERT INTO items(name, stock) VALUES (?, ?)", "mug", 10)
///     return conn.lastInsertRowID
/// }
/// let stock = try await db.read { conn in
///     try conn.queryOne("SELECT stock FROM items WHERE id = ?", id)?.int64("stock")
/// }
/// await db.close()
/// ```
///
/// **PostgreSQL.** The same bodies run unchanged. Write transactions are SERIALIZABLE and a
/// body may run more than once when its transaction loses a race with another writer
/// (40001/40P01 are retried inside the store, never returned), so bodies must keep their
/// effects inside the database.
///
/// **Threads.** All SQLite calls run on threads owned by the database: one writer thread
/// with the only writing connection, and ``DatabaseConfiguration/readerCount`` reader threads
/// (WAL lets them read while the writer writes). Callers suspend; they never block Swift's
/// cooperative pool or an event loop. Bodies are synchronous closures that run on those
/// threads, so they cannot `await` and cannot deadlock by calling back into the database.
///
/// **Connections.** The writer opens the file with `journal_mode=WAL`, the configured
/// `synchronous` mode (see ``SynchronousMode`` for the durability trade-off),
/// `foreign_keys=ON` and the busy timeout. Readers use `query_only=ON`.
///
/// **Cancellation.** Task cancellation is not observed: once called, a request runs.
///
/// **Lifetime.** Call ``close()`` to finish queued work, close connections and stop the
/// threads. Releasing the last reference without `close()` is safe: the threads finish
/// queued work and close their connections in the background.
public final class Database: Sendable {
    /// Where the database is.
    public let location: DatabaseLocation
    /// The SQLite file path, or the PostgreSQL endpoint and schema (for messages).
    public let path: String
    /// The configuration the database was opened with.
    public let configuration: DatabaseConfiguration

    private let writerQueue = WorkQueue<WriteRequest>()
    private let readerQueue = WorkQueue<ReadJob>()
    private let counters: MetricsCounters
    /// The names of the spans of ``write(_:)`` and ``writeBatched(_:)``.
    private let writeSpanName: String
    private let batchedWriteSpanName: String
    private let readSpanName: String
    private let untransactedWriteSpanName: String
    /// `"sqlite catalog"`, `"postgres orders"`: what every span of this database is named after.
    let spanPrefix: String
    private let threads = ThreadTracker()

    /// Opens (creating if needed) the SQLite database at `path` and starts its threads.
    ///
    /// - Throws: ``SQLiteError`` if the file cannot be opened or configured,
    ///   ``StoreError/walUnavailable(journalMode:)`` if WAL cannot be enabled,
    ///   ``StoreError/invalidConfiguration(_:)``.
    public convenience init(path: String, configuration: DatabaseConfiguration = DatabaseConfiguration()) async throws {
        try await self.init(location: .sqlite(path: path), configuration: configuration)
    }

    /// Opens the database at `location` and starts its threads: for SQLite one writer and
    /// ``DatabaseConfiguration/readerCount`` readers; for PostgreSQL
    /// ``DatabaseConfiguration/postgresWriterCount`` writer connections and as many reader
    /// connections as SQLite would have readers.
    ///
    /// - Throws: ``SQLiteError`` or ``PostgresError`` if the database cannot be opened or
    ///   configured, ``StoreError/walUnavailable(journalMode:)`` if SQLite's WAL cannot be
    ///   enabled, ``StoreError/invalidConfiguration(_:)``.
    public init(location: DatabaseLocation, configuration: DatabaseConfiguration = DatabaseConfiguration()) async throws {
        self.location = location
        self.path = location.displayName
        self.configuration = configuration
        let name = location.metricsName
        let system = location.dialect == .sqlite ? "sqlite" : "postgres"
        self.counters = MetricsCounters(database: name)
        self.spanPrefix = "\(system) \(name)"
        self.writeSpanName = "\(spanPrefix) write"
        self.batchedWriteSpanName = "\(spanPrefix) write (group commit)"
        self.readSpanName = "\(spanPrefix) read"
        self.untransactedWriteSpanName = "\(spanPrefix) write (no transaction)"
        do {
            try configuration.validate()
            let writerQueue = self.writerQueue
            let counters = self.counters
            let maxBatchSize = configuration.maxBatchSize
            let writers = location.dialect == .sqlite ? 1 : configuration.postgresWriterCount
            // The (first) writer opens first: it creates the file or schema.
            for index in 0..<writers {
                try await Self.startThread(name: "bigshop-db-w\(index)", tracker: threads) {
                    try location.open(isWriter: true, configuration: configuration)
                } loop: { connection in
                    WriterWorker(connection: connection, queue: writerQueue, metrics: counters, maxBatchSize: maxBatchSize)
                        .run()
                }
            }
            let readerQueue = self.readerQueue
            for index in 0..<configuration.readerCount {
                try await Self.startThread(name: "bigshop-db-r\(index)", tracker: threads) {
                    try location.open(isWriter: false, configuration: configuration)
                } loop: { connection in
                    ReaderWorker(connection: connection, queue: readerQueue).run()
                }
            }
        } catch {
            shutdown()
            await threads.waitUntilAllFinished()
            throw error
        }
    }

    deinit {
        shutdown()
    }

    // MARK: Writing

    /// Runs `body` on the writer thread inside `BEGIN IMMEDIATE ... COMMIT` and returns its
    /// value once the transaction has committed. If `body` (or the commit) throws, the
    /// transaction is rolled back and the error is rethrown.
    ///
    /// Writes run one at a time, in the order they were called (FIFO, shared with
    /// ``writeBatched(_:)``).
    public func write<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        // Outside any trace, no span (a write of a call not sampled, a background loop).
        guard ServiceContext.current != nil else { return try await writeUntraced(body) }
        return try await withSpan(writeSpanName, ofKind: .client) { span in
            span.attributes["db.system"] = dbSystem
            return try await writeUntraced(body)
        }
    }

    private func writeUntraced<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        let counters = self.counters
        return try await withoutActuallyEscaping(body) { body in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let request = WriteRequest.exclusive { connection in
                    let start = ContinuousClock.now
                    let result = Result<T, any Error> {
                        try SerializationRetry.run {
                            try connection.transaction(begin: connection.beginWrite) { try body(connection) }
                        }
                    }
                    if case .success = result {
                        counters.recordCommit()
                        counters.recordCommitTime(since: start)
                    }
                    return { continuation.resume(with: result) }
                }
                if !writerQueue.enqueue(request) {
                    continuation.resume(throwing: StoreError.databaseClosed)
                }
            }
        }
    }

    /// Like ``write(_:)``, but lets the writer commit this body together with other
    /// `writeBatched` calls in one transaction (group commit).
    ///
    /// Calls that queue up while the writer is busy are executed together, up to
    /// ``DatabaseConfiguration/maxBatchSize`` per transaction, each body in its own SAVEPOINT:
    /// - a body that throws is rolled back to its savepoint and its caller gets the error at
    ///   once; the other bodies are unaffected;
    /// - every other caller resumes only after the COMMIT that includes its work returned
    ///   successfully, so a returned value means the write is committed (durable within the
    ///   configured ``SynchronousMode``); if the COMMIT fails, all of them get that error.
    ///
    /// Use it for bursts of small independent writes (e.g. reservations during a flash sale):
    /// thousands of calls then cost a few transactions (and, with `.full`, a few fsyncs).
    ///
    /// - Important: bodies must not run `BEGIN`, `COMMIT`, `ROLLBACK` or `RELEASE` themselves,
    ///   and should not have side effects outside the database: if SQLite abandons a whole
    ///   transaction (disk full, I/O error, `ON CONFLICT ROLLBACK`), the bodies that had
    ///   succeeded in it are executed again in a new transaction.
    public func writeBatched<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        // Outside any trace, no span (a write of a call not sampled, a background loop).
        guard ServiceContext.current != nil else { return try await writeBatchedUntraced(body) }
        return try await withSpan(batchedWriteSpanName, ofKind: .client) { span in
            span.attributes["db.system"] = dbSystem
            return try await writeBatchedUntraced(body)
        }
    }

    private func writeBatchedUntraced<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let item = BatchedWrite(
                    execute: { connection in
                        let value = try body(connection)
                        return { continuation.resume(returning: value) }
                    },
                    fail: { error in continuation.resume(throwing: error) })
                if !writerQueue.enqueue(.batched(item)) {
                    continuation.resume(throwing: StoreError.databaseClosed)
                }
            }
        }
    }

    /// Runs `body` on the writer connection without opening a transaction: each statement
    /// autocommits unless `body` manages transactions itself. For `VACUUM`, pragmas that
    /// cannot run inside a transaction, and ``Migrator``.
    ///
    /// - Throws: ``StoreError/transactionLeftOpen`` (after rolling it back) if `body` returns
    ///   with a transaction still open.
    public func writeWithoutTransaction<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        // Outside any trace, no span, as for transactions.
        guard ServiceContext.current != nil else { return try await writeWithoutTransactionUntraced(body) }
        return try await withSpan(untransactedWriteSpanName, ofKind: .client) { span in
            span.attributes["db.system"] = dbSystem
            return try await writeWithoutTransactionUntraced(body)
        }
    }

    private func writeWithoutTransactionUntraced<T: Sendable>(
        _ body: @Sendable (Connection) throws -> T
    ) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let request = WriteRequest.exclusive { connection in
                    let result = Result<T, any Error> {
                        let value = try body(connection)
                        if connection.isInTransaction {
                            connection.rollbackIfNeeded()
                            throw StoreError.transactionLeftOpen
                        }
                        return value
                    }
                    connection.rollbackIfNeeded()  // if body threw with a transaction open
                    return { continuation.resume(with: result) }
                }
                if !writerQueue.enqueue(request) {
                    continuation.resume(throwing: StoreError.databaseClosed)
                }
            }
        }
    }

    /// The OpenTelemetry `db.system` of this database's spans.
    var dbSystem: String { location.dialect == .sqlite ? "sqlite" : "postgresql" }

    // MARK: Reading

    /// Runs `body` on a reader connection inside a deferred read transaction, so that all
    /// its queries see one consistent snapshot, even while the writer commits. Readers run
    /// concurrently, up to ``DatabaseConfiguration/readerCount`` at a time. Any attempt to
    /// write fails with `SQLITE_READONLY`.
    public func read<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        // Outside any trace, no span, as for writes.
        guard ServiceContext.current != nil else { return try await readUntraced(body) }
        return try await withSpan(readSpanName, ofKind: .client) { span in
            span.attributes["db.system"] = dbSystem
            return try await readUntraced(body)
        }
    }

    private func readUntraced<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job: ReadJob = { connection in
                    let result = Result<T, any Error> {
                        try SerializationRetry.run(readOnly: true) {
                            try connection.transaction(begin: connection.beginRead) { try body(connection) }
                        }
                    }
                    return { continuation.resume(with: result) }
                }
                if !readerQueue.enqueue(job) {
                    continuation.resume(throwing: StoreError.databaseClosed)
                }
            }
        }
    }

    // MARK: Migrations

    /// Applies `migrator`'s pending migrations; see ``Migrator/migrate(_:)``.
    @discardableResult
    public func migrate(_ migrator: Migrator) async throws -> [Int] {
        try await migrator.migrate(self)
    }

    // MARK: Metrics and lifetime

    /// Counters since the database was opened (commits, group-commit batches...).
    public var metrics: DatabaseMetrics { counters.snapshot }

    /// Write requests waiting for the writer thread (not counting the one executing).
    public var pendingWriteCount: Int { writerQueue.count }

    /// Counts a commit made outside ``write(_:)``/``writeBatched(_:)`` (used by ``Migrator``).
    func recordCommit() { counters.recordCommit() }

    /// Stops accepting requests, lets the threads finish the queued ones, finalizes their
    /// statements, closes their connections, and returns once every thread has exited.
    /// Later calls throw ``StoreError/databaseClosed``. Safe to call more than once.
    public func close() async {
        shutdown()
        await threads.waitUntilAllFinished()
    }

    private func shutdown() {
        writerQueue.close()
        readerQueue.close()
    }

    /// Starts a database thread that opens its connection, reports success or failure to
    /// the caller, then runs `loop` until its queue is closed.
    private static func startThread(
        name: String,
        tracker: ThreadTracker,
        open: @escaping @Sendable () throws -> Connection,
        loop: @escaping @Sendable (Connection) -> Void
    ) async throws {
        try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, any Error>) in
            tracker.threadStarting()
            let result = DedicatedThread.start(name: name) {
                defer { tracker.threadFinished() }
                let connection: Connection
                do {
                    connection = try open()
                } catch {
                    started.resume(throwing: error)
                    return
                }
                started.resume()
                loop(connection)
            }
            if result != 0 {
                tracker.threadFinished()
                started.resume(throwing: StoreError.threadStartFailed(errno: result))
            }
        }
    }
}
