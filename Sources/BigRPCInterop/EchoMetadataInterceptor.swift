public import BigRPC

/// Copies every request metadata key starting with `x-echo-` into the
/// trailers of every call the server runs, whatever its outcome: also when
/// the request fails before the service sees it (it does not decode, or a
/// unary call gets no request). ``TestServiceProvider`` does the same for
/// its own calls; the interceptor covers the rest.
public struct EchoMetadataInterceptor: ServerInterceptor {
    public init() {}

    public func intercept(
        context: ServerContext,
        next: @Sendable (ServerContext) async throws -> Void
    ) async throws {
        for (key, value) in context.metadata where key.hasPrefix(TestServiceProvider.echoMetadataPrefix) {
            context.addTrailer(key, value)
        }
        try await next(context)
    }
}
