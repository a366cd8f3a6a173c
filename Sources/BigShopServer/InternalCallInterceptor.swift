import BigRPC
import BigRPCTLS
import BigShopServiceKit

/// Every call on an internal port passes here: the caller is identified by
/// its certificate (mutual TLS), must be allowed the method by the
/// ``InternalAccessPolicy``, and may forward a principal
/// (`x-bigshop-principal`) only if it is a gateway, or a replica the policy
/// lets forward to that service (a flash-sale standby to the owner).
///
/// Without mutual TLS (an internal port on loopback, for one host) callers
/// are not authenticated: every local process is trusted as any service.
struct InternalCallInterceptor: ServerInterceptor {
    let policy: InternalAccessPolicy
    /// Whether callers present certificates (mutual TLS on the port).
    let authenticatesCallers: Bool

    /// The service names in a certificate's `spiffe://bigshop/<name>` URIs.
    static func serviceNames(in identity: TLSPeerIdentity) -> Set<String> {
        let prefix = "spiffe://bigshop/"
        return Set(identity.uris.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.filter { !$0.isEmpty })
    }

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        var context = context
        let mayForwardPrincipal: Bool
        if authenticatesCallers {
            let names = context.values[TLSPeerIdentity.self].map(Self.serviceNames) ?? []
            guard !names.isEmpty else {
                throw RPCError(.unauthenticated, "the client certificate names no BigShop service (spiffe://bigshop/<service>)")
            }
            guard policy.allows(names, context.method) else {
                throw RPCError(.permissionDenied, "\(names.sorted().joined(separator: ",")) may not call \(context.method.path)")
            }
            mayForwardPrincipal =
                names.contains(ServiceSelection.gatewayName) || policy.allowsForwardingPrincipal(names, context.method)
        } else {
            mayForwardPrincipal = true
        }
        if let forwarded = context.metadata[ForwardedPrincipal.metadataKey] {
            guard mayForwardPrincipal else {
                throw RPCError(.permissionDenied, "only a gateway (or a replica of the service called) may forward a principal")
            }
            guard let principal = ForwardedPrincipal.decode(forwarded) else {
                throw RPCError(.invalidArgument, "\(ForwardedPrincipal.metadataKey) is malformed")
            }
            context.values[PrincipalKey.self] = principal
        }
        try await next(context)
    }
}
