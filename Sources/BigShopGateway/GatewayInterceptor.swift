public import BigRPC
public import BigShopServiceKit

/// Every public call passes here before a service sees it: the call is
/// counted against its address, the session token becomes a ``Principal``,
/// the method's role is checked, and the remaining rate limits apply (see
/// ``GatewayLimiters`` for the order).
///
/// - Missing, invalid, expired or revoked token where one is needed:
///   UNAUTHENTICATED (a public method ignores a bad token and runs
///   anonymous). Either way the failure is charged to the caller's address.
/// - Wrong role: PERMISSION_DENIED. A method the policy does not name is
///   refused the same way.
/// - Over a rate limit: RESOURCE_EXHAUSTED with `retry-after-ms` and a
///   `reason` (``RateLimited/Reason``). An address whose failed
///   authentications are used up gets it for every call carrying a token,
///   before the token is checked.
public struct GatewayInterceptor: ServerInterceptor {
    /// Turns a bearer token into the caller's principal.
    public typealias Authenticate = @Sendable (_ token: String) async throws -> Principal?

    private let policy: AccessPolicy
    private let authenticate: Authenticate
    private let limiters: GatewayLimiters?

    /// - Parameters:
    ///   - limiters: nil disables rate limiting (`--rate-limit off`).
    public init(policy: AccessPolicy, limiters: GatewayLimiters?, authenticate: @escaping Authenticate) {
        self.policy = policy
        self.authenticate = authenticate
        self.limiters = limiters
    }

    public func intercept(
        context: ServerContext,
        next: @Sendable (ServerContext) async throws -> Void
    ) async throws {
        let address = PeerAddress.limitKey(of: context.peer)
        try limiters?.admitCall(from: address)
        guard let access = policy.access(for: context.method) else {
            throw RPCError(.permissionDenied, "\(context.method.path) is not available")
        }
        var context = context
        if let token = Self.bearerToken(in: context.metadata) {
            try limiters?.admitTokenCheck(from: address)
            if let principal = try await authenticate(token) {
                context.values[PrincipalKey.self] = principal
            } else {
                limiters?.chargeFailedAuthentication(from: address)
                if access != .public {
                    throw RPCError(.unauthenticated, "the session token is invalid, expired or revoked")
                }
            }
        }
        try Self.authorize(access, context.principal)
        try limiters?.admit(context, from: address)
        try await next(context)
    }

    static func authorize(_ access: Access, _ principal: Principal?) throws(RPCError) {
        switch access {
        case .public:
            return
        case .authenticated, .customer:
            guard principal != nil else {
                throw RPCError(.unauthenticated, "sign in first: send authorization: Bearer <token>")
            }
        case .admin:
            guard let principal else {
                throw RPCError(.unauthenticated, "sign in first: send authorization: Bearer <token>")
            }
            guard principal.isAdmin else { throw RPCError(.permissionDenied, "this method is for admins") }
        }
    }

    /// The token of an `authorization: Bearer <token>` header.
    static func bearerToken(in metadata: Metadata) -> String? {
        guard let value = metadata[Metadata.authorizationKey] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingPrefix(while: { $0 == " " })
        return token.isEmpty ? nil : String(token)
    }
}
