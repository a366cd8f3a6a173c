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

    public init(timeout: Duration? = nil) {
        self.timeout = timeout
    }

    /// No deadline.
    public static let defaults = CallOptions()
}
