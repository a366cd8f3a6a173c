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

    private let trailerStore: TrailerStore

    public init(
        method: MethodDescriptor,
        metadata: Metadata,
        deadline: ContinuousClock.Instant?,
        peer: String,
        requestID: String,
        values: ServerContextValues = ServerContextValues()
    ) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.requestID = requestID
        self.values = values
        self.trailerStore = TrailerStore()
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
