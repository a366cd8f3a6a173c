/// Sends a call again while it fails with `UNAVAILABLE` and may be repeated
/// (see ``RetryPolicy``), as its ``RetryPolicy`` allows, within the call's
/// deadline (each attempt gets what is left of it).
///
/// A call fails with `UNAVAILABLE` in two ways: the transport throws it (no
/// connection, the connection lost, a GOAWAY before the call was served), or
/// the server ends the call with it (the interceptor then sees a failed
/// ``ClientResponse``).
public struct RetryInterceptor: ClientInterceptor {
    public let policy: RetryPolicy

    public init(policy: RetryPolicy) {
        self.policy = policy
    }

    public func intercept<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        next: (Metadata, CallOptions) async throws -> Result
    ) async throws -> Result {
        guard policy.maxAttempts > 1 else { return try await next(metadata, options) }
        let repeatable = RetryPolicy.isRetryable(method, metadata: metadata)
        let clock = ContinuousClock()
        let deadline = options.timeout.map { clock.now + $0 }
        var attempt = 1
        while true {
            var attemptOptions = options
            if let deadline { attemptOptions.timeout = deadline - clock.now }
            let outcome: Swift.Result<Result, any Error>
            do {
                outcome = .success(try await next(metadata, attemptOptions))
            } catch {
                outcome = .failure(error)
            }
            guard attempt < policy.maxAttempts, let failure = RetryInterceptor.unavailable(outcome),
                repeatable || failure.callWasNotProcessed
            else {
                return try outcome.get()
            }
            let wait = policy.backoff(beforeRetry: attempt)
            if let deadline, clock.now + wait >= deadline {
                return try outcome.get()
            }
            try await clock.sleep(for: wait)
            attempt += 1
        }
    }

    /// The outcome's `UNAVAILABLE` error, if it is one.
    private static func unavailable<Result>(_ outcome: Swift.Result<Result, any Error>) -> RPCError? {
        let error: RPCError? =
            switch outcome {
            case .success(let value): (value as? any FailedCallOutcome)?.failure
            case .failure(let error): error as? RPCError
            }
        return error?.code == .unavailable ? error : nil
    }
}

/// A call's result that may be a failure the server reported (a unary or
/// client-streaming call returns its ``RPCError`` in its ``ClientResponse``
/// rather than throwing it).
protocol FailedCallOutcome {
    /// The failure, or nil when the call succeeded.
    var failure: RPCError? { get }
}

extension ClientResponse: FailedCallOutcome {
    var failure: RPCError? {
        guard case .failure(let error) = result else { return nil }
        return error
    }
}
