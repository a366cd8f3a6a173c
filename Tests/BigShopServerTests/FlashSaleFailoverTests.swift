import BigRPC
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopServer
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import ChildProcess
import Foundation
import Testing

/// Two flash-sale replicas on one PostgreSQL database: one owns the rings, the other
/// waits; when the owner goes, the standby rebuilds the rings from the durable holds and
/// sells exactly what is left.
@Suite(
    "Flash-sale failover", .enabled(if: TestPostgres.isAvailable, "needs BIGSHOP_TEST_POSTGRES_URL (scripts/with-postgres)"),
    .timeLimit(.minutes(2)))
struct FlashSaleFailoverTests {
    typealias FlashSale = Bigshop_Flashsale_V1_FlashSaleService.Client

    @Test func theStandbyTakesOverAndSellsExactlyTheRest() async throws {
        let shops = try await Shops.start(schemaPrefix: "fo", internalPorts: false)
        let (core, first, second) = (shops.core, shops.first, shops.second)
        defer { shops.removeData() }
        #expect(first.shop.flashSale?.isOwner == true)
        #expect(second.shop.flashSale?.isOwner == false)

        let product = try await Bigshop_Catalog_V1_CatalogService.Client(wrapping: core.client).createProduct(
            .init(sku: "IPHONE-FO", name: "iPhone 15", priceCents: 599_900, stock: 10), metadata: TestPrincipalInterceptor.admin())
        let campaign = try await FlashSale(wrapping: first.client).scheduleCampaign(
            .init(productId: product.id, startsAtMs: FlashSaleFlowTests.blackFriday, drops: 1, unitsPerDrop: 100, holdMs: 600_000),
            metadata: TestPrincipalInterceptor.admin())

        // The standby never answers from an empty registry: UNAVAILABLE, retry soon.
        let refused = await #expect(throws: RPCError.self) {
            _ = try await FlashSale(wrapping: second.client).reserve(
                .init(campaignId: campaign.id), metadata: TestPrincipalInterceptor.customer("early"))
        }
        #expect(refused?.code == .unavailable)
        #expect(refused?.metadata[Metadata.retryAfterKey].flatMap { Int($0) } ?? 0 > 0)

        // 60 customers through the owner.
        let before = try await Self.reserve(customers: 0..<60, campaign: campaign.id, through: first)
        #expect(before.granted == 60)

        // The owner goes (a graceful stop lets its lease lapse at once); the standby takes over.
        try await first.stop()
        #expect(await eventually(timeout: .seconds(15)) { second.shop.flashSale?.isOwner == true })

        // 90 more customers and the first 60 again, through the new owner: exactly the
        // 40 units left are granted, no customer twice.
        let after = try await Self.reserve(customers: 0..<150, campaign: campaign.id, through: second)
        #expect(after.granted == 40)
        #expect(after.limitReached == 60)
        #expect(after.soldOut == 50)
        #expect(after.other == 0)

        let stats = try await FlashSale(wrapping: second.client).getCampaignStats(
            .init(campaignId: campaign.id), metadata: TestPrincipalInterceptor.admin())
        #expect(stats.held + stats.sold == 100 && stats.remaining == 0)
        #expect(stats.drops.first?.mostHeldByOneCustomer == 1)
        try await second.stop()
        try await core.stop()
    }

    /// Every replica accepts every call: a standby forwards the owner's calls to it over
    /// the internal API, the caller's principal included, and serves them itself once it
    /// has taken over.
    @Test func theStandbyForwardsToTheOwnerOverTheInternalAPI() async throws {
        let shops = try await Shops.start(schemaPrefix: "fw", internalPorts: true)
        let (core, owner, standby) = (shops.core, shops.first, shops.second)
        defer { shops.removeData() }
        #expect(standby.shop.flashSale?.isOwner == false)
        let product = try await Bigshop_Catalog_V1_CatalogService.Client(wrapping: core.client).createProduct(
            .init(sku: "IPHONE-FW", name: "iPhone 15", priceCents: 599_900, stock: 10), metadata: TestPrincipalInterceptor.admin())
        // Scheduled through the standby: forwarded, and the owner's ring has it.
        let campaign = try await FlashSale(wrapping: standby.client).scheduleCampaign(
            .init(productId: product.id, startsAtMs: FlashSaleFlowTests.blackFriday, drops: 1, unitsPerDrop: 10, holdMs: 600_000),
            metadata: TestPrincipalInterceptor.admin())

        let viaStandby = try await Self.reserve(customers: 0..<6, campaign: campaign.id, through: standby)
        let viaOwner = try await Self.reserve(customers: 4..<12, campaign: campaign.id, through: owner)
        // The principal went along: customers 4 and 5 are at their limit whichever way they came.
        #expect(viaStandby.granted == 6)
        #expect(viaOwner.granted == 4 && viaOwner.limitReached == 2 && viaOwner.soldOut == 2)
        let stats = try await FlashSale(wrapping: standby.client).getCampaignStats(
            .init(campaignId: campaign.id), metadata: TestPrincipalInterceptor.admin())
        #expect(stats.held == 10 && stats.remaining == 0)
        // A customer's call cannot pass for an admin's on the way.
        let denied = await #expect(throws: RPCError.self) {
            _ = try await FlashSale(wrapping: standby.client).getCampaignStats(
                .init(campaignId: campaign.id), metadata: TestPrincipalInterceptor.customer("buyer1"))
        }
        #expect(denied?.code == .permissionDenied)

        try await owner.stop()
        #expect(await eventually(timeout: .seconds(15)) { standby.shop.flashSale?.isOwner == true })
        let after = try await Self.reserve(customers: 20..<22, campaign: campaign.id, through: standby)
        #expect(after.soldOut == 2)
        try await standby.stop()
        try await core.stop()
    }

    /// A shop of catalog, orders, orchestrator and payments on a fresh PostgreSQL storage,
    /// and two flash-sale replicas on the same storage calling it in process (the first
    /// started is the owner); with `internalPorts`, each replica serves an internal port on
    /// loopback, so a standby can forward to the owner.
    struct Shops {
        let core: TestShop
        let first: TestShop
        let second: TestShop

        static func start(schemaPrefix: String, internalPorts: Bool) async throws -> Shops {
            let endpoint = try #require(TestPostgres.endpoint)
            let storage = ShopStorage.postgres(
                PostgresStorage(
                    endpoint: endpoint, schemaPrefix: TestPostgres.uniqueSchema(schemaPrefix) + "_", writerConnections: 2,
                    readerConnections: 1))
            let clock = ManualClock(nowMs: FlashSaleFlowTests.blackFriday + 1_000)
            var inProcess: LateBoundTransport?
            let core = try await TestShop.start(
                clock: clock,
                assemble: {
                    $0.parts = [.catalog, .orders, .orchestrator, .payments]
                    $0.storage = storage
                    $0.serverInterceptors = [TestPrincipalInterceptor()]
                    inProcess = $0.transport
                })
            let coreTransport = try #require(inProcess)
            func replica() async throws -> TestShop {
                let internalPort = internalPorts ? try LoopbackPort.free() : nil
                return try await TestShop.start(
                    clock: clock,
                    configure: { if let internalPort { $0.internalPort = internalPort } },
                    assemble: {
                        $0.parts = [.flashsale]
                        $0.storage = storage
                        $0.remoteParts = [.catalog: coreTransport, .orchestrator: coreTransport, .orders: coreTransport]
                        $0.serverInterceptors = [TestPrincipalInterceptor()]
                    })
            }
            return Shops(core: core, first: try await replica(), second: try await replica())
        }

        func removeData() {
            core.removeData()
            first.removeData()
            second.removeData()
        }
    }

    struct Outcomes {
        var granted = 0, soldOut = 0, limitReached = 0, other = 0
    }

    /// Every customer of `customers` presses Reserve once, all at once.
    static func reserve(customers: Range<Int>, campaign: String, through shop: TestShop) async throws -> Outcomes {
        let flashSale = FlashSale(wrapping: shop.client)
        return try await withThrowingTaskGroup(of: String.self) { group in
            for index in customers {
                group.addTask {
                    do {
                        _ = try await flashSale.reserve(
                            .init(campaignId: campaign), metadata: TestPrincipalInterceptor.customer("buyer\(index)"))
                        return "OK"
                    } catch let error as RPCError {
                        return error.metadata[Metadata.reasonKey] ?? "\(error.code)"
                    }
                }
            }
            var outcomes = Outcomes()
            for try await outcome in group {
                switch outcome {
                case "OK": outcomes.granted += 1
                case "SOLD_OUT": outcomes.soldOut += 1
                case "LIMIT_REACHED": outcomes.limitReached += 1
                default: outcomes.other += 1
                }
            }
            return outcomes
        }
    }
}
