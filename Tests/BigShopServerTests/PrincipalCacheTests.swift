import BigRPC
import BigShopAuthAPI
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import Foundation
import Synchronization
import Testing

@testable import BigShopGateway
@testable import BigShopServer

/// The gateway's principal cache (issue 15): a token verified once is
/// answered from the cache, and a Logout, pushed by Auth to every gateway
/// that follows its revocations, is never missed, in this process or in
/// another gateway's. Real shops over loopback TCP, real SQLite.
/// SQLite only: on PostgreSQL Auth says it does not see every revocation,
/// and gateways keep the cache off (RevocationFeedTests checks that answer).
@Suite(.timeLimit(.minutes(2)), .enabled(if: !TestPostgres.isSelectedForServices))
struct PrincipalCacheTests {
    /// Waits until `shop`'s gateway follows Auth's revocations.
    static func following(_ shop: TestShop) async throws -> PrincipalCache {
        let cache = try #require(shop.app.principals)
        #expect(await eventually { cache.isFollowing })
        return cache
    }

    @Test("after Logout the very next call through the gateway is UNAUTHENTICATED, though the token was cached")
    func logoutThroughOneGateway() async throws {
        try await withShop { shop in
            let cache = try await Self.following(shop)
            let (ana, user) = try await shop.newCustomer("ana")
            #expect(try await ana.auth.whoAmI(.init()).id == user.id)
            let cached = cache.count
            #expect(cached >= 1)
            // Answered from the cache: nothing new stored.
            #expect(try await ana.auth.whoAmI(.init()).id == user.id)
            #expect(cache.count == cached)

            _ = try await ana.auth.logout(.init())
            await expectCode(.unauthenticated) { _ = try await ana.auth.whoAmI(.init()) }
            await expectCode(.unauthenticated) { _ = try await ana.orders.getCart(.init()) }
        }
    }

    @Test("a Logout through one gateway reaches another gateway process's cache before Logout answers")
    func logoutReachesAnotherGateway() async throws {
        // A gateway with a remote Auth caches only when told to.
        try await SplitDeploymentTests.withSplitShop(configureGateway: { $0.principalCache = true }) { first, backend in
            let peers = try SplitDeploymentTests.peersFile(port: try #require(backend.internalPort), in: NSTemporaryDirectory())
            let second = try await TestShop.start {
                $0.services = ["gateway"]
                $0.peersFile = peers
                $0.principalCache = true
            }
            do {
                let firstCache = try await Self.following(first)
                let secondCache = try await Self.following(second)
                let (_, user) = try await first.newCustomer("bia")
                let session = try await first.clients().auth.login(.init(email: user.email, password: "customer-password"))
                let throughFirst = first.clients(token: session.token)
                let throughSecond = second.clients(token: session.token)
                #expect(try await throughFirst.auth.whoAmI(.init()).id == user.id)
                #expect(try await throughSecond.auth.whoAmI(.init()).id == user.id)
                #expect(firstCache.count >= 1)
                #expect(secondCache.count >= 1)

                _ = try await throughFirst.auth.logout(.init())
                await expectCode(.unauthenticated) { _ = try await throughFirst.auth.whoAmI(.init()) }
                // A gateway in another process that acknowledges within Auth's
                // 1 s refuses the very next call. On a loaded machine it may be
                // cut off instead, and learn so a moment after Logout answered:
                // the window `--principal-cache on` documents for a remote
                // Auth. Either way the session is refused within a few seconds.
                let refused = await eventually(timeout: .seconds(5)) {
                    do {
                        _ = try await throughSecond.auth.whoAmI(.init())
                        return false
                    } catch let error as RPCError {
                        return error.code == .unauthenticated
                    }
                }
                #expect(refused)
            } catch {
                try? await second.stopAndRemove()
                throw error
            }
            try await second.stopAndRemove()
        }
    }

    @Test("by default a gateway whose Auth is in another process asks Auth on every call")
    func offByDefaultWithARemoteAuth() async throws {
        try await SplitDeploymentTests.withSplitShop { gateway, _ in
            #expect(gateway.app.principals == nil)
            let (clients, user) = try await gateway.newCustomer("caio")
            #expect(try await clients.auth.whoAmI(.init()).id == user.id)
        }
    }

    @Test("while Auth is unreachable the cache is off and empty; following again, it starts clean")
    func streamDownTurnsTheCacheOff() async throws {
        let backend = try await TestShop.start {
            $0.services = SplitDeploymentTests.backendServices
            $0.internalPort = 0
        }
        let internalPort = try #require(backend.internalPort)
        let peers = try SplitDeploymentTests.peersFile(port: internalPort, in: NSTemporaryDirectory())
        let gateway = try await TestShop.start {
            $0.services = ["gateway"]
            $0.peersFile = peers
            $0.principalCache = true
        }
        var restarted: TestShop?
        do {
            let cache = try await Self.following(gateway)
            let (ana, user) = try await gateway.newCustomer("ana")
            #expect(try await ana.auth.whoAmI(.init()).id == user.id)
            #expect(cache.count >= 1)

            await backend.kill()
            #expect(await eventually { !cache.isFollowing })
            #expect(cache.count == 0)
            // Not trusted while down: the call goes to Auth, which is gone.
            #expect((try? await ana.auth.whoAmI(.init())) == nil)

            // The same Auth data on the same internal port: followed again, from empty.
            restarted = try await TestShop.start(dataDirectory: backend.dataDirectory) {
                $0.services = SplitDeploymentTests.backendServices
                $0.internalPort = internalPort
            }
            #expect(await eventually { cache.isFollowing })
            #expect(await eventually { (try? await ana.auth.whoAmI(.init()).id) == user.id })
            _ = try await ana.auth.logout(.init())
            await expectCode(.unauthenticated) { _ = try await ana.auth.whoAmI(.init()) }
        } catch {
            try? await gateway.stopAndRemove()
            try? await restarted?.stopAndRemove()
            backend.removeData()
            throw error
        }
        try await gateway.stopAndRemove()
        try await restarted?.stopAndRemove()
        backend.removeData()
    }

    @Test("down, the cache asks on every call; a revocation while Auth is asked keeps the answer out")
    func cacheStateMachine() async throws {
        let cache = PrincipalCache(nowMs: { 1_000 })
        let asked = Mutex(0)
        let ana = Principal(userID: "usr_ana", role: .customer, email: "ana@bigshop.test", sessionID: "session-ana")
        let verify: (String) async throws -> (principal: Principal, sessionExpiresAtMs: Int64)? = { token in
            asked.withLock { $0 += 1 }
            return token == "token-ana" ? (ana, 100_000) : nil
        }

        // Down: every call asks.
        #expect(try await cache.principal(for: "token-ana", verify: verify) == ana)
        #expect(try await cache.principal(for: "token-ana", verify: verify) == ana)
        #expect(asked.withLock { $0 } == 2)
        #expect(cache.count == 0)

        // Following: asked once, then cached; an unknown token is never cached.
        cache.following()
        #expect(try await cache.principal(for: "token-ana", verify: verify) == ana)
        #expect(try await cache.principal(for: "token-ana", verify: verify) == ana)
        #expect(asked.withLock { $0 } == 3)
        #expect(try await cache.principal(for: "token-bad", verify: verify) == nil)
        #expect(try await cache.principal(for: "token-bad", verify: verify) == nil)
        #expect(asked.withLock { $0 } == 5)

        // Revoked: asked again.
        cache.revoke(["session-ana"])
        #expect(cache.count == 0)
        #expect(try await cache.principal(for: "token-ana", verify: verify) == ana)
        #expect(asked.withLock { $0 } == 6)

        // A revocation that lands while Auth is being asked: the answer is not kept.
        cache.revoke(["session-ana"])
        #expect(
            try await cache.principal(for: "token-ana") { _ in
                cache.revoke(["session-other"])
                return (ana, 100_000)
            } == ana)
        #expect(cache.count == 0)

        // Down again: emptied.
        #expect(try await cache.principal(for: "token-ana", verify: verify) == ana)
        #expect(cache.count == 1)
        cache.down()
        #expect(cache.count == 0)
        #expect(!cache.isFollowing)
    }

    @Test("an entry lives at most the TTL and never past its session's expiry")
    func entriesExpire() async throws {
        let now = Mutex<Int64>(0)
        let cache = PrincipalCache(ttlMs: 10_000, nowMs: { now.withLock { $0 } })
        cache.following()
        let asked = Mutex(0)
        let ana = Principal(userID: "usr_ana", role: .customer, email: "ana@bigshop.test", sessionID: "session-ana")
        let verify: (String) async throws -> (principal: Principal, sessionExpiresAtMs: Int64)? = { _ in
            asked.withLock { $0 += 1 }
            return (ana, 15_000)
        }
        _ = try await cache.principal(for: "token-ana", verify: verify)
        now.withLock { $0 = 9_999 }
        _ = try await cache.principal(for: "token-ana", verify: verify)
        #expect(asked.withLock { $0 } == 1)
        now.withLock { $0 = 10_000 }
        _ = try await cache.principal(for: "token-ana", verify: verify)
        #expect(asked.withLock { $0 } == 2)
        // Stored at 10,000 until min(20,000, the session's 15,000).
        now.withLock { $0 = 15_000 }
        _ = try await cache.principal(for: "token-ana", verify: verify)
        #expect(asked.withLock { $0 } == 3)
    }
}
