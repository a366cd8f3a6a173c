public import Logging

/// Hears the notifications that committed transactions send on one channel of a database
/// (``Connection/notify(_:payload:)``), from every process using that database.
///
/// ```swift
/// let listener = try await DatabaseListener.start(on: database.location, channel: "order_events") { notification in
///     switch notification {
///     case .payload(let text): hub.changed(text)   // something committed: re-read it
///     case .resumed: hub.rereadEverything()          // some may have been missed
///     }
/// }
/// try await database.write { try $0.notify("order_events", payload: "42") }  // heard after COMMIT
/// await listener.close()
/// ```
///
/// **PostgreSQL.** A dedicated connection runs `LISTEN` on the channel scoped to the
/// location's schema (`schema.channel`), so services and tests sharing a database never
/// hear each other. ``start(on:channel:options:logger:handler:)`` returns once it listens.
/// If the connection drops (server restart, terminated backend, failed keep-alive), the
/// listener reconnects with exponential backoff until closed, and once it listens again
/// hands the handler ``DatabaseNotification/resumed``: notifications sent in between are
/// lost, so treat notifications as hints and re-read the data they point at.
///
/// **SQLite.** Nothing to listen to: one process owns the file and informs its own
/// components directly; the handler is never called.
///
/// **Handler.** Called one notification at a time, in the order PostgreSQL delivers them,
/// from a task of the listener's: it must not block (hand work to other tasks).
public final class DatabaseListener: Sendable {
    /// How a listener keeps its connection.
    public struct Options: Sendable, Hashable {
        /// The first delay before reconnecting after the connection dropped; doubled on
        /// each failed attempt (with jitter) up to ``maximumReconnectDelay``.
        public var initialReconnectDelay: Duration
        /// The longest delay between reconnection attempts.
        public var maximumReconnectDelay: Duration
        /// How often an idle connection is checked with `SELECT 1`; a check that does not
        /// answer within the same time drops the connection (and reconnects). Catches a
        /// network that silently stopped delivering.
        public var keepAliveInterval: Duration
        /// How long connecting may take.
        public var connectTimeout: Duration

        /// Creates options.
        public init(
            initialReconnectDelay: Duration = .milliseconds(50), maximumReconnectDelay: Duration = .seconds(2),
            keepAliveInterval: Duration = .seconds(10), connectTimeout: Duration = .seconds(5)
        ) {
            self.initialReconnectDelay = initialReconnectDelay
            self.maximumReconnectDelay = maximumReconnectDelay
            self.keepAliveInterval = keepAliveInterval
            self.connectTimeout = connectTimeout
        }
    }

    private let postgres: PostgresListener?

    private init(postgres: PostgresListener?) {
        self.postgres = postgres
    }

    /// Starts listening on `channel` of `location`, returning once notifications committed
    /// from now on will reach `handler`.
    ///
    /// - Parameters:
    ///   - channel: lowercase letters, digits and `_`; with the schema's name and a dot, at
    ///     most 63 bytes (PostgreSQL's limit on channel names).
    ///   - handler: called with each notification; see the type's documentation.
    /// - Throws: ``StoreError/invalidConfiguration(_:)`` for a bad channel name,
    ///   ``PostgresError`` if the first connection or `LISTEN` fails.
    public static func start(
        on location: DatabaseLocation,
        channel: String,
        options: Options = Options(),
        logger: Logger = Logger(label: "bigshop.store.listener"),
        handler: @escaping @Sendable (DatabaseNotification) -> Void
    ) async throws -> DatabaseListener {
        guard PostgresSession.isValidIdentifier(channel) else {
            throw StoreError.invalidConfiguration("notification channel '\(channel)' must be lowercase letters, digits and _")
        }
        switch location {
        case .sqlite:
            return DatabaseListener(postgres: nil)
        case .postgres(let endpoint, let schema):
            let scoped = schema + "." + channel
            guard PostgresSession.isValidIdentifier(schema), scoped.utf8.count <= 63 else {
                throw StoreError.invalidConfiguration("notification channel '\(scoped)' is longer than 63 bytes")
            }
            let listener = try PostgresListener(
                endpoint: endpoint, channel: scoped, options: options, logger: logger, handler: handler)
            try await listener.start()
            return DatabaseListener(postgres: listener)
        }
    }

    /// `true` while the listener has a connection that listens (always `false` on SQLite).
    public var isListening: Bool { postgres?.isListening ?? false }

    /// The process id of the server backend that listens, while there is one: for
    /// `pg_stat_activity` (and for tests that terminate it). `nil` on SQLite.
    public var backendProcessID: Int32? { postgres?.backendProcessID }

    /// How many times the listener reconnected after losing its connection.
    public var reconnectCount: Int { postgres?.reconnectCount ?? 0 }

    /// Stops listening, closes the connection and returns once the listener's task has
    /// ended; the handler is not called afterwards. Safe to call more than once.
    public func close() async {
        await postgres?.close()
    }
}
