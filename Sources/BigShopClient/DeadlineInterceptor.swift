import BigRPC

/// Gives calls that set no deadline a default one. Calls whose responses
/// stream (like `WatchOrder`, which lasts as long as the order moves) keep
/// none: they end when the caller stops reading.
struct DeadlineInterceptor: ClientInterceptor {
    let timeout: Duration

    func intercept<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        next: (Metadata, CallOptions) async throws -> Result
    ) async throws -> Result {
        var options = options
        if options.timeout == nil, method.kind.hasSingleResponse {
            options.timeout = timeout
        }
        return try await next(metadata, options)
    }
}
