/// Sees every call before its handler does, and its outcome after.
///
/// An interceptor may reject a call by throwing an ``RPCError`` instead of
/// calling `next` (authentication, authorization, rate limiting), attach
/// values to the context for the handler, or observe the result (logging).
public protocol ServerInterceptor: Sendable {
    func intercept(
        context: ServerContext,
        next: @Sendable (ServerContext) async throws -> Void
    ) async throws
}

/// Sees every client call before it is sent.
///
/// An interceptor may add metadata (an `authorization` token), change the
/// options (a default deadline), or call `next` again to retry.
public protocol ClientInterceptor: Sendable {
    func intercept<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        next: (Metadata, CallOptions) async throws -> Result
    ) async throws -> Result
}
