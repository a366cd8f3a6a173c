/// When and how a ``RetryInterceptor`` sends a call again after `UNAVAILABLE`.
///
/// A call the server never processed (``RPCError/callWasNotProcessed``: no
/// connection, or refused by a GOAWAY) is always safe to send again. Other
/// `UNAVAILABLE` calls (the connection lost mid-call) are retried only when
/// repeating them is safe: reads (methods named `Get…` or `List…`, `WhoAmI`,
/// the health check) and calls that carry an `idempotency-key`, which the
/// server answers the same way every time.
/// Waits grow exponentially with "equal jitter": half the step, plus a random
/// part of the other half, so clients that failed together do not retry
/// together. Retries stop at ``maxAttempts`` or when the next wait would
/// overrun the call's deadline.
public struct RetryPolicy: Hashable, Sendable {
    /// Attempts in all, the first included; 1 turns retries off.
    public var maxAttempts: Int
    /// The step before the first retry.
    public var initialBackoff: Duration
    /// The largest step.
    public var maxBackoff: Duration
    /// How much each step grows over the one before.
    public var multiplier: Double

    /// Five attempts, waiting about 0.1 s, 0.2 s, 0.4 s then 0.8 s between them.
    public init(
        maxAttempts: Int = 5,
        initialBackoff: Duration = .milliseconds(100),
        maxBackoff: Duration = .seconds(2),
        multiplier: Double = 2
    ) {
        precondition(maxAttempts >= 1, "maxAttempts counts the first attempt")
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
    }

    /// No retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Whether a call of `method` with `metadata` may be sent again: a read,
    /// or a call carrying an `idempotency-key`.
    public static func isRetryable(_ method: MethodDescriptor, metadata: Metadata) -> Bool {
        if metadata[Metadata.idempotencyKey] != nil { return true }
        let name = method.method
        return name.hasPrefix("Get") || name.hasPrefix("List") || name == "WhoAmI"
            || method.service == "bigrpc.health.v1.Health"
    }

    /// How long to wait before retry number `retry` (from 1).
    public func backoff(beforeRetry retry: Int) -> Duration {
        var step = initialBackoff
        for _ in 1..<max(retry, 1) {
            step = min(step * multiplier, maxBackoff)
        }
        step = min(step, maxBackoff)
        return step / 2 + step / 2 * Double.random(in: 0...1)
    }
}
