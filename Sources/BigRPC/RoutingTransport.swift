/// Sends each call to the transport of its service: a process that serves
/// some services itself (in process) and reaches the others on other hosts
/// (each through its own balancer) routes its clients' calls here.
public struct RoutingTransport: ClientTransport {
    /// The transport of each service, by fully qualified name.
    public let routes: [String: any ClientTransport]
    /// Where calls to any other service go; nil fails them with UNAVAILABLE.
    public let fallback: (any ClientTransport)?

    public init(routes: [String: any ClientTransport], fallback: (any ClientTransport)? = nil) {
        self.routes = routes
        self.fallback = fallback
    }

    public func withStream<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        _ body: (ClientStream) async throws -> Result
    ) async throws -> Result {
        guard let transport = routes[method.service] ?? fallback else {
            var error = RPCError(.unavailable, "no address is configured for \(method.service)")
            error.callWasNotProcessed = true
            throw error
        }
        return try await transport.withStream(method: method, metadata: metadata, options: options, body)
    }
}
