/// Per-call settings on the client.
public struct CallOptions: Hashable, Sendable {
    /// How long the call may take, sent to the server as `timeout_ms`; nil for
    /// no deadline.
    ///
    /// When it passes, the call ends with `DEADLINE_EXCEEDED` at once: the
    /// server is told, and waiting for a response throws, as does the next
    /// request write. Code in a request-writing closure that neither writes
    /// nor reads (a long computation, a sleep) is not interrupted; it learns
    /// at its next write.
    public var timeout: Duration?

    /// Told of each message of the call; equal options have the same
    /// observers (the same objects).
    private(set) var messageObservers = MessageObservers()

    public init(timeout: Duration? = nil) {
        self.timeout = timeout
    }

    /// Has `observer` told of each request message the caller writes and
    /// each response message it reads: what a ``ClientInterceptor`` sets on
    /// the options it hands to `next`, to see the messages of a stream.
    public mutating func observeMessages(with observer: any RPCMessageObserver) {
        messageObservers.append(observer)
    }

    /// No deadline.
    public static let defaults = CallOptions()
}
