import BigRPC
import BigShopAuthAPI
import Testing

@testable import BigShopAuth

@Suite("SessionVerifier")
struct SessionVerifierTests {
    @Test func aLiveTokenGivesItsPrincipal() async throws {
        try await withAuth { harness in
            let session = try await harness.customerSession()
            let principal = try await harness.authenticate(session.token)
            #expect(principal.userId == session.user?.id)
            #expect(principal.role == .customer)
            #expect(principal.email == "ana@example.com")
            #expect(principal.sessionExpiresAtMs == session.expiresAtMs)
        }
    }

    @Test(arguments: [
        "",
        "short",
        String(repeating: "A", count: 42),
        String(repeating: "A", count: 44),
        String(repeating: "A", count: 42) + "=",
        String(repeating: "A", count: 42) + "/",
        String(repeating: "A", count: 43),  // well-formed but never issued
    ])
    func anythingElseIsUnauthenticated(token: String) async throws {
        try await withAuth { harness in
            _ = try await harness.customerSession()
            let error = await #expect(throws: RPCError.self) {
                try await harness.authenticate(token)
            }
            #expect(error?.code == .unauthenticated)
            #expect(error?.message == SessionVerifierProvider.invalidToken.message)
        }
    }

    @Test func tokensAreStoredOnlyAsTheirHash() async throws {
        try await withAuth { harness in
            let session = try await harness.customerSession()
            let hash = SessionToken.hash(of: session.token)
            #expect(hash.count == 64)
            #expect(hash != session.token)
            let byHash = try await harness.module.store.principal(tokenHash: hash, nowMs: harness.clock.nowMs())
            #expect(byHash?.userId == session.user?.id)
            let byToken = try await harness.module.store.principal(tokenHash: session.token, nowMs: harness.clock.nowMs())
            #expect(byToken == nil)
        }
    }

    @Test func aRevocationByAnotherProcessIsSeenWithinTheCacheTTL() async throws {
        try await withAuth(settings: .testing(sessionCacheTTL: .seconds(10))) { harness in
            let session = try await harness.customerSession()
            let request = Bigshop_Auth_V1_AuthenticateRequest(token: session.token)
            _ = try await harness.verifier.authenticate(request)
            // Revoked in the database behind this process's back.
            let revoked = try await harness.module.store.revokeSession(
                tokenHash: SessionToken.hash(of: session.token), userID: session.user?.id ?? "", atMs: harness.clock.nowMs()
            )
            #expect(revoked)

            harness.clock.advance(byMs: 9_999)
            _ = try await harness.verifier.authenticate(request)
            harness.clock.advance(byMs: 1)
            let error = await #expect(throws: RPCError.self) { try await harness.verifier.authenticate(request) }
            #expect(error?.code == .unauthenticated)
        }
    }

    @Test func withoutCacheEveryCheckReadsTheDatabase() async throws {
        try await withAuth(settings: .testing(sessionCacheTTL: .zero)) { harness in
            let session = try await harness.customerSession()
            let request = Bigshop_Auth_V1_AuthenticateRequest(token: session.token)
            _ = try await harness.verifier.authenticate(request)
            _ = try await harness.module.store.revokeSession(
                tokenHash: SessionToken.hash(of: session.token), userID: session.user?.id ?? "", atMs: harness.clock.nowMs()
            )
            let error = await #expect(throws: RPCError.self) { try await harness.verifier.authenticate(request) }
            #expect(error?.code == .unauthenticated)
        }
    }
}
