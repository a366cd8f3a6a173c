public import BigRPC
import BigShopStore

/// Answers UNAVAILABLE, with `retry-after-ms`, when a handler failed because its database
/// could not be reached (the PostgreSQL server restarting, failing over, or partitioned
/// away) or is closing with the process: the caller may try again, here or on another
/// replica. Any other error passes through unchanged.
///
/// A write that lost its connection during COMMIT may have been applied; the message says
/// so, and the shop's mutating calls carry idempotency keys so that a retry is safe.
public struct StoreFailureInterceptor: ServerInterceptor {
    /// The pause suggested to callers before they try again.
    public var retryAfterMs: Int

    /// Creates the interceptor.
    public init(retryAfterMs: Int = 1_000) {
        self.retryAfterMs = retryAfterMs
    }

    public func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        do {
            try await next(context)
        } catch let error as PostgresError where error.isConnectionFailure {
            let message =
                error.isOutcomeUnknown
                ? "the database connection was lost while the change was being committed: it may have been applied; retry with the same idempotency key"
                : "the database is unreachable; retry"
            throw RPCError(.unavailable, message, metadata: [Metadata.retryAfterKey: String(retryAfterMs)])
        } catch StoreError.databaseClosed {
            throw RPCError(.unavailable, "the service is shutting down; retry", metadata: [Metadata.retryAfterKey: String(retryAfterMs)])
        }
    }
}
