/// Per-call settings on the client.
public struct CallOptions: Hashable, Sendable {
    /// How long the call may take, sent to the server as `timeout_ms`; nil for
    /// no deadline.
    public var timeout: Duration?

    public init(timeout: Duration? = nil) {
        self.timeout = timeout
    }

    /// No deadline.
    public static let defaults = CallOptions()
}
