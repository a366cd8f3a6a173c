import BigRPC

/// Sends `authorization: Bearer <token>` with every call once signed in,
/// unless the call sets its own.
struct AuthorizationInterceptor: ClientInterceptor {
    let token: SessionToken

    func intercept<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        next: (Metadata, CallOptions) async throws -> Result
    ) async throws -> Result {
        guard let token = token.value, metadata[Metadata.authorizationKey] == nil else {
            return try await next(metadata, options)
        }
        var metadata = metadata
        metadata[Metadata.authorizationKey] = "Bearer \(token)"
        return try await next(metadata, options)
    }
}
