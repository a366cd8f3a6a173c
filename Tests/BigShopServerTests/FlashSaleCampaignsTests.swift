import BigRPC
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import Foundation
import Testing

/// ListCampaigns, GetCampaignStats and the demo campaign of `--seed-demo`.
@Suite struct FlashSaleCampaignsTests {
    static let blackFriday = FlashSaleFlowTests.blackFriday
    static let hour: Int64 = 3_600_000

    @Test func listCampaignsShowsCurrentThenUpcomingWithTheirNextDrop() async throws {
        let clock = ManualClock(nowMs: Self.blackFriday + 90 * 60_000)
        try await withShop(clock: clock) { shop in
            let (admin, current) = try await FlashSaleFlowTests.campaign(in: shop, startsAtMs: Self.blackFriday)
            let product = current.productId
            let later = try await admin.flashSale.scheduleCampaign(
                .init(productId: product, startsAtMs: Self.blackFriday + 5 * Self.hour, drops: 2))
            let over = try await admin.flashSale.scheduleCampaign(
                .init(productId: product, startsAtMs: Self.blackFriday - 10 * Self.hour, drops: 3))

            let listed = try await shop.clients().flashSale.listCampaigns(.init())
            #expect(listed.campaigns.map { $0.campaign?.id } == [current.id, later.id])
            #expect(!listed.campaigns.contains { $0.campaign?.id == over.id })
            let first = try #require(listed.campaigns.first)
            #expect(first.productName == "iPhone 15 128 GB")
            #expect(first.nextDrop?.index == 1)
            #expect(first.nextDrop?.startsAtMs == Self.blackFriday + Self.hour)
            #expect(first.nextDrop?.unitsReleased == 200)
            let upcoming = try #require(listed.campaigns.last?.nextDrop)
            #expect(upcoming.index == 0 && upcoming.startsAtMs == Self.blackFriday + 5 * Self.hour)
            #expect(upcoming.unitsReleased == 0)
        }
    }

    @Test func campaignStatsBalanceAndFollowTheHolds() async throws {
        let clock = ManualClock(nowMs: Self.blackFriday + 1_000)
        try await withShop(clock: clock) { shop in
            let (admin, campaign) = try await FlashSaleFlowTests.campaign(in: shop, units: 3, holdMs: 60_000, startsAtMs: Self.blackFriday)
            let buyers = try await FlashSaleFlowTests.customers(3, in: shop)
            var reservations: [Bigshop_Flashsale_V1_Reservation] = []
            for buyer in buyers { reservations.append(try await buyer.flashSale.reserve(.init(campaignId: campaign.id))) }
            _ = try await buyers[0].payments.pay(
                .init(
                    orderId: reservations[0].orderId,
                    method: .card(.init(number: "4111111111111111", holder: "Ana Souza", expMonth: 12, expYear: 2030, cvv: "123"))))
            clock.advance(byMs: 61_000)
            #expect(
                await eventually {
                    try await admin.flashSale.getCampaignStats(.init(campaignId: campaign.id)).returned == 2
                })
            let stats = try await admin.flashSale.getCampaignStats(.init(campaignId: campaign.id))
            #expect(stats.campaignId == campaign.id)
            #expect(stats.atMs == clock.nowMs())
            #expect(stats.unitsReleased == 3 && stats.sold == 1 && stats.held == 0 && stats.remaining == 2 && stats.returned == 2)
            #expect(stats.drops.count == 1)
            let drop = try #require(stats.drops.first)
            #expect(drop.index == 0 && drop.startsAtMs == Self.blackFriday && drop.unitsAdded == 3)
            #expect(drop.granted == 3 && drop.sold == 1 && drop.returned == 2 && drop.held == 0)
            #expect(drop.mostHeldByOneCustomer == 1)

            // An hour later the second drop adds its units.
            clock.advance(byMs: Self.hour)
            let next = try await admin.flashSale.getCampaignStats(.init(campaignId: campaign.id))
            #expect(next.unitsReleased == 6 && next.remaining == 5 && next.drops.count == 2)
            #expect(next.sold + next.held + next.remaining == next.unitsReleased)
        }
    }

    @Test func campaignStatsAreForAdmins() async throws {
        try await withShop { shop in
            let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
            let (_, campaign) = try await FlashSaleFlowTests.campaign(in: shop, startsAtMs: nowMs)
            let customer = try await shop.newCustomer().clients
            #expect(await code(try await customer.flashSale.getCampaignStats(.init(campaignId: campaign.id))) == .permissionDenied)
            #expect(await code(try await shop.clients().flashSale.getCampaignStats(.init(campaignId: campaign.id))) == .unauthenticated)
            let admin = try await shop.admin()
            #expect(await code(try await admin.flashSale.getCampaignStats(.init(campaignId: "cmp_missing"))) == .notFound)
        }
    }

    @Test func seedDemoSchedulesOneDemoCampaignAMinuteAhead() async throws {
        let startedMs = Int64(Date().timeIntervalSince1970 * 1000)
        let shop = try await TestShop.startDemo()
        let directory = shop.dataDirectory
        do {
            let listed = try await shop.clients().flashSale.listCampaigns(.init())
            #expect(listed.campaigns.count == 1)
            let summary = try #require(listed.campaigns.first)
            let campaign = try #require(summary.campaign)
            #expect(summary.productName.hasPrefix("iPhone"))
            #expect(campaign.drops == 24 && campaign.unitsPerDrop == 100 && campaign.priceCents == 100)
            #expect(campaign.dropIntervalMs == Self.hour && campaign.perCustomerLimit == 1)
            #expect(campaign.startsAtMs >= startedMs + 60_000)
            #expect(campaign.startsAtMs <= Int64(Date().timeIntervalSince1970 * 1000) + 60_000)
            #expect(summary.nextDrop?.index == 0 && summary.nextDrop?.startsAtMs == campaign.startsAtMs)
            let product = try await shop.clients().catalog.getProduct(.init(id: campaign.productId))
            #expect(product.name == summary.productName)
            try await shop.stop()

            // A restart over the same data keeps the one campaign.
            let again = try await TestShop.startDemo(dataDirectory: directory)
            let relisted = try await again.clients().flashSale.listCampaigns(.init())
            #expect(relisted.campaigns.map { $0.campaign?.id } == [campaign.id])
            try await again.stopAndRemove()
        } catch {
            try? await shop.stop()
            shop.removeData()
            throw error
        }
    }
}
