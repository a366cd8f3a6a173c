public import BigRPC

/// A caller's role, as the gateway establishes it from the session token.
public enum ShopRole: String, Hashable, Sendable {
    case customer
    case admin
}

/// Who is calling: set on the context by the gateway once the token checks
/// out, read by services to scope data to the caller.
public struct Principal: Hashable, Sendable {
    public var userID: String
    public var role: ShopRole
    public var email: String
    /// The session the caller signed in with (a hash of its token, never
    /// the token), when it came from one: what Logout revokes.
    public var sessionID: String?

    public init(userID: String, role: ShopRole, email: String, sessionID: String? = nil) {
        self.userID = userID
        self.role = role
        self.email = email
        self.sessionID = sessionID
    }

    public var isAdmin: Bool { role == .admin }
}

/// The ``ServerContextValues`` key of the caller's ``Principal``.
public enum PrincipalKey: ServerContextKey {
    public typealias Value = Principal
}

extension ServerContext {
    /// The authenticated caller, if the gateway found a valid token.
    public var principal: Principal? { values[PrincipalKey.self] }

    /// The authenticated caller; UNAUTHENTICATED if there is none. The
    /// gateway already refuses anonymous calls to non-public methods, so this
    /// guards against wiring mistakes.
    public func requirePrincipal() throws(RPCError) -> Principal {
        guard let principal else { throw RPCError(.unauthenticated, "a valid session token is required") }
        return principal
    }

    /// The `idempotency-key` of the call, if any, validated: at most 128
    /// printable ASCII characters.
    public func idempotencyKey() throws(RPCError) -> String? {
        guard let key = metadata[Metadata.idempotencyKey], !key.isEmpty else { return nil }
        guard key.utf8.count <= 128, key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw RPCError(.invalidArgument, "idempotency-key must be 1-128 printable ASCII characters")
        }
        return key
    }
}
