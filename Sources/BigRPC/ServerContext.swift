public import Logging
import Synchronization

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// The method being called.
    public let method: MethodDescriptor
    /// The request metadata (headers), keys lowercase.
    public let metadata: Metadata
    /// When the call's deadline passes, if it has one. The server cancels the
    /// handler then and answers `DEADLINE_EXCEEDED`.
    public let deadline: ContinuousClock.Instant?
    /// The remote address, e.g. `127.0.0.1:53211`, or `in-process`.
    public let peer: String
    /// The `x-request-id` of the call: the client's, or one the server made.
    public let requestID: String
    /// Values attached by interceptors for the handler (e.g. the caller's identity).
    public var values: ServerContextValues
    /// What every log line about this call carries: `request-id` and
    /// `method`, and `trace-id` once a tracing interceptor has run.
    /// Interceptors may add to it before calling `next`.
    public var logMetadata: Logger.Metadata {
        get {
            // Made when asked (a line is logged), not for every call.
            var metadata: Logger.Metadata = ["request-id": "\(requestID)", "method": "\(method.path)"]
            metadata.merge(addedLogMetadata) { $1 }
            return metadata
        }
        set { addedLogMetadata = newValue }
    }
    /// What interceptors added to ``logMetadata``.
    private var addedLogMetadata: Logger.Metadata = [:]
    /// Told of each message the handler reads and writes.
    private(set) var messageObservers = MessageObservers()
    /// The server's logger; see ``logger`` and ``logger(_:)``.
    private let serverLogger: Logger

    private let trailerStore: TrailerStore

    public init(
        method: MethodDescriptor,
        metadata: Metadata,
        deadline: ContinuousClock.Instant?,
        peer: String,
        requestID: String,
        values: ServerContextValues = ServerContextValues(),
        logger: Logger = ServerContext.defaultLogger
    ) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.requestID = requestID
        self.values = values
        self.serverLogger = logger
        self.trailerStore = TrailerStore()
    }

    /// The logger of a context made without one.
    public static let defaultLogger = Logger(label: "bigrpc.server")

    /// The server's logger with the call's ``logMetadata``: log lines about
    /// the call carry its request id, method and trace id.
    public var logger: Logger { logger(serverLogger) }

    /// `base` (a service's own logger, with its label and level) with the
    /// call's ``logMetadata``: how every handler logs about its call.
    ///
    /// ```swift
    /// context.logger(logger).info("account created", metadata: ["user-id": "\(id)"])
    /// ```
    public func logger(_ base: Logger) -> Logger {
        var logger = base
        for (key, value) in logMetadata { logger[metadataKey: key] = value }
        return logger
    }

    /// Has `observer` told of each request message the handler reads and
    /// each response message it writes, from the transport's point of view:
    /// what an interceptor calls before handing this context to `next`, to
    /// see the messages of a stream.
    public mutating func observeMessages(with observer: any RPCMessageObserver) {
        messageObservers.append(observer)
    }

    /// Trailing metadata sent with the call's status, whatever the outcome.
    /// (An ``RPCError``'s own metadata is added on top when a handler throws one.)
    public var trailers: Metadata {
        get { trailerStore.value.withLock { $0 } }
        nonmutating set { trailerStore.value.withLock { $0 = newValue } }
    }

    /// Adds one trailing metadata pair.
    public func addTrailer(_ key: String, _ value: String) {
        trailerStore.value.withLock { $0[key] = value }
    }

    private final class TrailerStore: Sendable {
        let value = Mutex(Metadata())
    }
}

/// A key for a value stored in ``ServerContextValues``.
public protocol ServerContextKey {
    associatedtype Value: Sendable
}

/// Typed values that interceptors attach to a call for its handler, keyed by
/// ``ServerContextKey`` types.
public struct ServerContextValues: Sendable {
    private var storage: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<Key: ServerContextKey>(key: Key.Type) -> Key.Value? {
        get { storage[ObjectIdentifier(key)] as? Key.Value }
        set { storage[ObjectIdentifier(key)] = newValue }
    }
}
