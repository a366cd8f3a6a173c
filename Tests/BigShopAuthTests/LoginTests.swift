import BigRPC
import BigShopAuthAPI
import BigShopServiceKit
import Testing

@testable import BigShopAuth

@Suite("Login, WhoAmI and Logout")
struct LoginTests {
    @Test func loginOpensASessionOfTheConfiguredLength() async throws {
        try await withAuth { harness in
            let user = try await harness.auth.register(
                Bigshop_Auth_V1_RegisterRequest(
                    email: "ana@example.com", password: "correct horse", name: "Ana"
                ))
            let session = try await harness.auth.login(
                Bigshop_Auth_V1_LoginRequest(
                    email: " ANA@example.com", password: "correct horse"
                ))
            #expect(SessionToken.isWellFormed(session.token))
            #expect(session.expiresAtMs == AuthHarness.startMs + 24 * 3600 * 1000)
            #expect(session.user == user)

            let me = try await harness.whoAmI(session.token)
            #expect(me == user)
        }
    }

    /// An account an earlier version stored under an email NFKC changes (it
    /// only trimmed and lowercased) still signs in with what it was made with.
    @Test func anAccountStoredBeforeNFKCStillSignsIn() async throws {
        try await withAuth { harness in
            let decomposed = "joa\u{303}o@exemplo.com.br"
            let hash = try await harness.module.hasher.hash("correct horse", priority: .register)
            let legacy = UserRecord(
                id: "usr_legacy", email: decomposed, name: "João", role: .customer,
                passwordHash: hash.encoded, createdAtMs: AuthHarness.startMs
            )
            #expect(try await harness.module.store.insert(legacy))
            let session = try await harness.login(" JOA\u{303}O@exemplo.com.br", "correct horse")
            #expect(session.user?.id == "usr_legacy")
        }
    }

    @Test func eachLoginHasItsOwnToken() async throws {
        try await withAuth { harness in
            let first = try await harness.customerSession()
            let second = try await harness.login("ana@example.com", "correct horse")
            #expect(first.token != second.token)
        }
    }

    @Test func unknownEmailAndWrongPasswordGetTheSameAnswerAndTheSameWork() async throws {
        try await withAuth { harness in
            _ = try await harness.customerSession()
            let hasher = harness.module.hasher

            let before = hasher.derivationCount
            let wrongPassword = await #expect(throws: RPCError.self) {
                try await harness.login("ana@example.com", "wrong horse")
            }
            let afterWrongPassword = hasher.derivationCount
            let unknownEmail = await #expect(throws: RPCError.self) {
                try await harness.login("bia@example.com", "wrong horse")
            }
            let afterUnknownEmail = hasher.derivationCount

            #expect(wrongPassword?.code == .unauthenticated)
            #expect(unknownEmail?.code == .unauthenticated)
            #expect(wrongPassword?.message == unknownEmail?.message)
            #expect(wrongPassword?.metadata[Metadata.reasonKey] == unknownEmail?.metadata[Metadata.reasonKey])
            // One PBKDF2 derivation each: the unknown email is checked against a decoy hash.
            #expect(afterWrongPassword - before == 1)
            #expect(afterUnknownEmail - afterWrongPassword == 1)
        }
    }

    @Test func emptyOrOversizedCredentialsAreWrongCredentials() async throws {
        try await withAuth { harness in
            _ = try await harness.customerSession()
            for request in [
                Bigshop_Auth_V1_LoginRequest(email: "", password: "correct horse"),
                Bigshop_Auth_V1_LoginRequest(email: "ana@example.com", password: ""),
                Bigshop_Auth_V1_LoginRequest(email: "ana@example.com", password: String(repeating: "x", count: 1025)),
            ] {
                let error = await #expect(throws: RPCError.self) { try await harness.auth.login(request) }
                #expect(error?.code == .unauthenticated)
                #expect(error?.message == AuthServiceProvider.wrongCredentials.message)
            }
        }
    }

    @Test func logoutRevokesOnlyTheCallingToken() async throws {
        try await withAuth { harness in
            let session = try await harness.customerSession()
            let other = try await harness.login("ana@example.com", "correct horse")
            // Verified once, so the session is in the verifier's cache.
            _ = try await harness.whoAmI(session.token)

            _ = try await harness.logout(session.token)

            let error = await #expect(throws: RPCError.self) {
                try await harness.whoAmI(session.token)
            }
            #expect(error?.code == .unauthenticated)
            let verified = await #expect(throws: RPCError.self) {
                try await harness.authenticate(session.token)
            }
            #expect(verified?.code == .unauthenticated)
            let again = await #expect(throws: RPCError.self) {
                try await harness.logout(session.token)
            }
            #expect(again?.code == .unauthenticated)

            let me = try await harness.whoAmI(other.token)
            #expect(me.email == "ana@example.com")
        }
    }

    @Test func whoAmIAndLogoutNeedAToken() async throws {
        try await withAuth { harness in
            for metadata in [Metadata(), bearer("not-a-token"), bearer(String(repeating: "A", count: 43))] {
                let whoAmI = await #expect(throws: RPCError.self) {
                    try await harness.auth.whoAmI(Bigshop_Auth_V1_WhoAmIRequest(), metadata: metadata)
                }
                #expect(whoAmI?.code == .unauthenticated)
                let logout = await #expect(throws: RPCError.self) {
                    try await harness.auth.logout(Bigshop_Auth_V1_LogoutRequest(), metadata: metadata)
                }
                #expect(logout?.code == .unauthenticated)
            }
        }
    }

    @Test func logoutWithoutTheTokenInTheContextIsRefused() async throws {
        try await withAuth { harness in
            let session = try await harness.customerSession()
            var context = directContext(peer: "in-process", method: Bigshop_Auth_V1_AuthService.Method.logout)
            let userID = try #require(session.user?.id)
            context.values[PrincipalKey.self] = Principal(userID: userID, role: .customer, email: "ana@example.com")
            let error = await #expect(throws: RPCError.self) {
                try await harness.module.authService.logout(request: Bigshop_Auth_V1_LogoutRequest(), context: context)
            }
            #expect(error?.code == .unauthenticated)
        }
    }

    @Test func sessionsExpireAfterTheirTTL() async throws {
        try await withAuth { harness in
            let session = try await harness.customerSession()
            harness.clock.advance(byMs: 24 * 3600 * 1000 - 1)
            _ = try await harness.whoAmI(session.token)

            harness.clock.advance(byMs: 1)
            let error = await #expect(throws: RPCError.self) {
                try await harness.whoAmI(session.token)
            }
            #expect(error?.code == .unauthenticated)
        }
    }

    @Test func theSessionTTLIsASetting() async throws {
        try await withAuth(
            settings: {
                var settings = AuthSettings.testing()
                settings.sessionTTL = .seconds(60)
                return settings
            }()
        ) { harness in
            let session = try await harness.customerSession()
            #expect(session.expiresAtMs == AuthHarness.startMs + 60_000)
            harness.clock.advance(byMs: 60_000)
            let error = await #expect(throws: RPCError.self) {
                try await harness.authenticate(session.token)
            }
            #expect(error?.code == .unauthenticated)
        }
    }
}
