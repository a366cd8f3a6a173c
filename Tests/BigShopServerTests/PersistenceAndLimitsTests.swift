import BigRPC
import BigShopCatalogAPI
import BigShopServerTestSupport
import Foundation
import Testing

@Suite struct PersistenceAndLimitsTests {
    @Test func dataSurvivesARestartOnTheSameDirectory() async throws {
        let first = try await TestShop.start()
        let admin = try await first.admin()
        let product = try await admin.catalog.createProduct(.init(sku: "KEEP-1", name: "Notebook", priceCents: 350_000, stock: 7))
        let (_, user) = try await first.newCustomer("persisted")
        try await first.stop()

        let second = try await TestShop.start(dataDirectory: first.dataDirectory)
        #expect(try await second.clients().catalog.getProduct(.init(id: product.id)) == product)
        let session = try await second.clients().auth.login(.init(email: user.email, password: "customer-password"))
        #expect(session.user?.id == user.id)
        try await second.stopAndRemove()
    }

    @Test func anonymousBurstIsRateLimitedWithRetryAfter() async throws {
        try await withShop(configure: {
            $0.rateLimit = true
            $0.rateLimits.perAddress = .init(perSecond: 0.5, burst: 5)
        }) { shop in
            let anonymous = shop.clients()
            // Twelve calls at once: five fit the burst; refills come every 2 s.
            let refusals = try await withThrowingTaskGroup(of: RPCError?.self) { group in
                for _ in 0..<12 {
                    group.addTask { await rpcError(try await anonymous.catalog.listProducts(.init())) }
                }
                return try await group.reduce(into: [RPCError]()) { if let error = $1 { $0.append(error) } }
            }
            #expect(refusals.count >= 6)
            #expect(refusals.allSatisfy { $0.code == .resourceExhausted })
            let retryAfter = try #require(refusals.compactMap { $0.metadata["retry-after-ms"].flatMap(Int.init) }.min())
            #expect(retryAfter > 0 && retryAfter <= 2_000)
            try await Task.sleep(for: .milliseconds(retryAfter + 100))
            #expect(await code(try await anonymous.catalog.listProducts(.init())) == nil)
        }
    }

    @Test func loginIsLimitedPerAddressAndEmail() async throws {
        try await withShop(configure: {
            $0.rateLimit = true
            $0.loginPerAddressEmailBurst = 3
            $0.loginPerAddressEmailPerSecond = 0.01
        }) { shop in
            let anonymous = shop.clients()
            for _ in 0..<3 {
                #expect(await code(try await anonymous.auth.login(.init(email: "victim@bigshop.test", password: "guess-guess"))) == .unauthenticated)
            }
            let limited = await rpcError(try await anonymous.auth.login(.init(email: "victim@bigshop.test", password: "guess-guess")))
            #expect(limited?.code == .resourceExhausted)
            #expect(limited?.metadata["retry-after-ms"] != nil)
            // Another email from the same address is not locked out by it.
            #expect(await code(try await anonymous.auth.login(.init(email: "other@bigshop.test", password: "guess-guess"))) == .unauthenticated)
        }
    }

    @Test func rateLimitOffLetsABurstThrough() async throws {
        try await withShop(configure: {
            $0.rateLimit = false
            $0.rateLimits.perAddress = .init(perSecond: 1, burst: 1)
        }) { shop in
            let anonymous = shop.clients()
            for _ in 0..<20 {
                #expect(await code(try await anonymous.catalog.listProducts(.init())) == nil)
            }
        }
    }
}
