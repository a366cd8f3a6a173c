import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The PostgreSQL side of a ``DatabaseListener``: one connection that runs `LISTEN` on one
/// channel, in a task of its own, reconnecting with backoff whenever the connection drops.
///
/// Unlike ``PostgresSession`` (synchronous, on a database thread), a listener only waits,
/// so it uses postgres-nio's async API on Swift's cooperative pool: waiting for a
/// notification holds no thread.
final class PostgresListener: Sendable {
    /// What the listening task shares with the listener's callers.
    private final class Status: Sendable {
        private struct State {
            var backendProcessID: Int32?
            var reconnectCount = 0
        }

        private let state = Mutex(State())

        var backendProcessID: Int32? { state.withLock { $0.backendProcessID } }
        var reconnectCount: Int { state.withLock { $0.reconnectCount } }

        func listening(on processID: Int32, isReconnect: Bool) {
            state.withLock { state in
                state.backendProcessID = processID
                if isReconnect { state.reconnectCount += 1 }
            }
        }

        func disconnected() {
            state.withLock { $0.backendProcessID = nil }
        }
    }

    /// Resumes ``start()`` once: when the listener first listens, or with the reason it
    /// could not.
    private final class StartSignal: Sendable {
        private let continuation: Mutex<CheckedContinuation<Void, any Error>?>

        init(_ continuation: CheckedContinuation<Void, any Error>) {
            self.continuation = Mutex(continuation)
        }

        func resume(with result: Result<Void, any Error>) {
            let continuation = self.continuation.withLock { continuation in
                defer { continuation = nil }
                return continuation
            }
            continuation?.resume(with: result)
        }
    }

    /// Everything the listening task needs, and nothing that keeps the listener alive (its
    /// `deinit` cancels the task).
    private struct Loop: Sendable {
        let configuration: PostgresConnection.Configuration
        let channel: String
        let options: DatabaseListener.Options
        let logger: Logger
        let handler: @Sendable (DatabaseNotification) -> Void
        let status: Status

        /// Listens until cancelled: connects, listens, and after losing the connection waits
        /// a backoff delay and starts again. Bounded by the task's cancellation.
        func run(started: StartSignal) async {
            var failures = 0
            var hasListened = false
            while !Task.isCancelled {
                do {
                    try await listenOnce { processID in
                        status.listening(on: processID, isReconnect: hasListened)
                        if hasListened {
                            logger.info("listening again after a reconnection", metadata: ["channel": "\(channel)"])
                            handler(.resumed)
                        } else {
                            started.resume(with: .success(()))
                        }
                        hasListened = true
                        failures = 0
                    }
                } catch {
                    guard hasListened else {
                        started.resume(with: .failure(PostgresError(error, sql: nil)))
                        return
                    }
                    if !Task.isCancelled {
                        logger.warning(
                            "notification listener lost its connection; reconnecting",
                            metadata: ["channel": "\(channel)", "error": "\(PostgresError(error, sql: nil))"])
                    }
                }
                status.disconnected()
                failures += 1
                try? await Task.sleep(for: delay(afterFailures: failures))
            }
            started.resume(with: .failure(CancellationError()))
        }

        /// One connection's life: connect, `LISTEN`, call `listening`, then hand on
        /// notifications until the connection fails or the task is cancelled.
        private func listenOnce(listening: (Int32) -> Void) async throws {
            let connection = try await PostgresConnection.connect(
                configuration: configuration, id: Int.random(in: 0..<Int.max), logger: Self.quiet)
            do {
                let processID = try await Self.backendProcessID(of: connection)
                try await connection.listen(on: channel) { notifications in
                    // LISTEN has completed: every notification committed from now on arrives.
                    listening(processID)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { [handler] in
                            for try await notification in notifications { handler(.payload(notification.payload)) }
                        }
                        group.addTask { [options] in
                            try await Self.keepAlive(connection, every: options.keepAliveInterval)
                        }
                        // Either child ending means the connection is gone (or we are cancelled).
                        try await group.next()
                        group.cancelAll()
                    }
                }
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        }

        /// The delay before reconnection attempt `failures` (from 1): doubling from the
        /// initial delay up to the maximum, each between half and all of that.
        private func delay(afterFailures failures: Int) -> Duration {
            var delay = options.initialReconnectDelay
            for _ in 1..<max(1, min(failures, 20)) where delay < options.maximumReconnectDelay { delay *= 2 }
            return min(delay, options.maximumReconnectDelay) * Double.random(in: 0.5...1.0)
        }

        /// Checks the connection every `interval` with `SELECT 1`, closing it when a check
        /// does not answer within `interval`; throws once the connection fails.
        private static func keepAlive(_ connection: PostgresConnection, every interval: Duration) async throws {
            while true {
                try await Task.sleep(for: interval)
                let watchdog = Task {
                    try await Task.sleep(for: interval)
                    try? await connection.close()
                }
                defer { watchdog.cancel() }
                for try await _ in try await connection.query("SELECT 1", logger: quiet) {}
            }
        }

        private static func backendProcessID(of connection: PostgresConnection) async throws -> Int32 {
            var processID: Int32 = 0
            for try await row in try await connection.query("SELECT pg_backend_pid()", logger: quiet) {
                processID = try row.decode(Int32.self)
            }
            return processID
        }

        /// postgres-nio's logger: failures reach the loop as errors, logged there.
        static let quiet: Logger = {
            var logger = Logger(label: "bigshop.store.postgres.listen")
            logger.logLevel = .critical
            return logger
        }()
    }

    private let loop: Loop
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(
        endpoint: PostgresEndpoint, channel: String, options: DatabaseListener.Options, logger: Logger,
        handler: @escaping @Sendable (DatabaseNotification) -> Void
    ) throws {
        var configuration = try endpoint.driverConfiguration()
        let timeout = options.connectTimeout.components
        configuration.options.connectTimeout = .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000)
        // Shown in pg_stat_activity (PostgreSQL truncates it to 63 bytes).
        configuration.options.additionalStartupParameters = [("application_name", "bigshop listen \(channel)")]
        self.loop = Loop(
            configuration: configuration, channel: channel, options: options, logger: logger, handler: handler,
            status: Status())
    }

    deinit {
        task.withLock { $0?.cancel() }
    }

    /// Starts the listening task and returns once it listens.
    ///
    /// - Throws: ``PostgresError`` if the first connection or `LISTEN` fails (no retry:
    ///   the database was just reachable, so this is a real failure).
    func start() async throws {
        let loop = self.loop
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let started = StartSignal(continuation)
            task.withLock { $0 = Task { await loop.run(started: started) } }
        }
    }

    var isListening: Bool { loop.status.backendProcessID != nil }
    var backendProcessID: Int32? { loop.status.backendProcessID }
    var reconnectCount: Int { loop.status.reconnectCount }

    /// Cancels the listening task and waits for it to close its connection.
    func close() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        await task?.value
    }
}
