import BigRPC
import BigShopAuthAPI
import BigShopServiceKit
import Testing

@testable import BigShopAuth

@Suite("Persistence and password upgrades")
struct PersistenceTests {
    @Test func accountsAndSessionsSurviveAReopen() async throws {
        try await withTemporaryDirectory { directory in
            let clock = ManualClock(nowMs: AuthHarness.startMs)
            let first = try await AuthHarness.open(directory: directory, clock: clock, settings: .testing())
            let session = try await first.customerSession()
            let admin = try await first.adminSession()
            await first.module.close()

            let second = try await AuthHarness.open(directory: directory, clock: clock, settings: .testing())
            let me = try await second.whoAmI(session.token)
            #expect(me == session.user)
            let again = try await second.login("ana@example.com", "correct horse")
            #expect(again.user == session.user)
            let taken = await #expect(throws: RPCError.self) {
                try await second.register("ana@example.com", "12345678")
            }
            #expect(taken?.code == .alreadyExists)
            #expect(
                try await second.module.ensureAdmin(email: "root@example.com", password: "admin password")
                    == .alreadyPresent(userID: admin.user?.id ?? ""))

            // A revoked session stays revoked across a restart.
            _ = try await second.logout(session.token)
            await second.module.close()
            let third = try await AuthHarness.open(directory: directory, clock: clock, settings: .testing())
            let error = await #expect(throws: RPCError.self) {
                try await third.authenticate(session.token)
            }
            #expect(error?.code == .unauthenticated)
            await third.module.close()
        }
    }

    @Test func loginRehashesWhenTheCostGrewAndNeverDowngrades() async throws {
        try await withTemporaryDirectory { directory in
            let clock = ManualClock(nowMs: AuthHarness.startMs)
            let cheap = try await AuthHarness.open(directory: directory, clock: clock, settings: .testing(iterations: 1_000))
            _ = try await cheap.customerSession()
            #expect(try await storedHash(cheap).iterations == 1_000)
            await cheap.module.close()

            let stronger = try await AuthHarness.open(
                directory: directory, clock: clock, settings: .testing(iterations: 2_000)
            )
            _ = try await stronger.login("ana@example.com", "correct horse")
            let upgraded = try await storedHash(stronger)
            #expect(upgraded.iterations == 2_000)
            // A failed login changes nothing.
            _ = try? await stronger.login("ana@example.com", "wrong horse")
            #expect(try await storedHash(stronger) == upgraded)
            await stronger.module.close()

            let weaker = try await AuthHarness.open(
                directory: directory, clock: clock, settings: .testing(iterations: 1_000)
            )
            _ = try await weaker.login("ana@example.com", "correct horse")
            #expect(try await storedHash(weaker) == upgraded)
            await weaker.module.close()
        }
    }

    @Test func openingDropsDeadSessions() async throws {
        try await withTemporaryDirectory { directory in
            let clock = ManualClock(nowMs: AuthHarness.startMs)
            let first = try await AuthHarness.open(directory: directory, clock: clock, settings: .testing())
            let expiring = try await first.customerSession()
            let revoked = try await first.login("ana@example.com", "correct horse")
            _ = try await first.logout(revoked.token)
            clock.advance(byMs: 12 * 3600 * 1000)
            let live = try await first.login("ana@example.com", "correct horse")
            await first.module.close()

            clock.advance(byMs: 12 * 3600 * 1000)  // the first session has expired
            let second = try await AuthHarness.open(directory: directory, clock: clock, settings: .testing())
            #expect(try await second.module.store.pruneSessions(nowMs: clock.nowMs()) == 0)
            _ = try await second.authenticate(live.token)
            let error = await #expect(throws: RPCError.self) {
                try await second.authenticate(expiring.token)
            }
            #expect(error?.code == .unauthenticated)
            await second.module.close()
        }
    }

    private func storedHash(_ harness: AuthHarness) async throws -> PasswordHash {
        let user = try #require(try await harness.module.store.user(email: "ana@example.com"))
        #expect(user.passwordHash.hasPrefix("pbkdf2-sha256$"))
        return try #require(PasswordHash(encoded: user.passwordHash))
    }
}
