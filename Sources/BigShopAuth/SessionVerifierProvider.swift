public import BigRPC
public import BigShopAuthAPI
import BigShopServiceKit

/// `bigshop.auth.v1.SessionVerifier`: the gateway's token check, on every
/// authenticated call. Internal: served in process, never on the public port.
///
/// A token that is missing, malformed, unknown, expired or revoked is
/// UNAUTHENTICATED. A malformed token is refused without touching the
/// database; a well-formed one is answered from the ``SessionCache`` when it
/// was verified recently, else by one indexed lookup (a cached prepared
/// statement on a reader connection). `FollowRevocations` pushes every
/// session revoked here to the gateways that cache principals
/// (``RevocationFeed``).
public struct SessionVerifierProvider: Bigshop_Auth_V1_SessionVerifier.ServiceProtocol {
    private let store: AuthStore
    private let sessions: SessionCache
    private let revocations: RevocationFeed
    private let clock: any ShopClock

    init(store: AuthStore, sessions: SessionCache, revocations: RevocationFeed, clock: any ShopClock) {
        self.store = store
        self.sessions = sessions
        self.revocations = revocations
        self.clock = clock
    }

    /// The principal behind `request.token`, or UNAUTHENTICATED.
    public func authenticate(
        request: Bigshop_Auth_V1_AuthenticateRequest,
        context: ServerContext
    ) async throws -> Bigshop_Auth_V1_Principal {
        guard SessionToken.isWellFormed(request.token) else { throw Self.invalidToken }
        let tokenHash = SessionToken.hash(of: request.token)
        let nowMs = clock.nowMs()
        if let principal = sessions.lookup(tokenHash, nowMs: nowMs) {
            return principal
        }
        let generation = sessions.generation
        guard let principal = try await store.principal(tokenHash: tokenHash, nowMs: nowMs) else {
            throw Self.invalidToken
        }
        sessions.insert(principal, for: tokenHash, nowMs: nowMs, ifGeneration: generation)
        return principal
    }

    /// The sessions revoked from now on (see session_verifier.proto): ends
    /// OK when the gateway half-closes, UNAVAILABLE when it was cut off for
    /// not acknowledging in time or this process is stopping.
    public func followRevocations(
        requests: RPCAsyncSequence<Bigshop_Auth_V1_RevocationAck>,
        response: RPCWriter<Bigshop_Auth_V1_Revocations>,
        context: ServerContext
    ) async throws {
        let (id, revocations) = self.revocations.follow()
        defer { self.revocations.unfollow(id) }
        let feed = self.revocations
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await ack in requests { feed.acknowledge(id, sequence: ack.sequence) }
            }
            group.addTask {
                for await update in revocations { try await response.write(update) }
                throw RPCError(.unavailable, "no longer following revocations here: follow them again")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    static let invalidToken = RPCError(.unauthenticated, "the session token is invalid, expired or revoked")
}
