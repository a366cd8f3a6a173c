import BigRPC
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import Foundation
import Testing

@testable import BigShopGateway

/// The flash sale through the server: races, limits, expiry, drops.
@Suite struct FlashSaleFlowTests {
    /// Black Friday 2026, 00:00 in São Paulo (UTC-3).
    static let blackFriday: Int64 = 1_795_834_800_000

    /// A product and a campaign of `drops` drops of `units` units.
    static func campaign(
        in shop: TestShop,
        drops: Int32 = 24,
        units: Int32 = 100,
        holdMs: Int64 = 600_000,
        startsAtMs: Int64
    ) async throws -> (ShopClients, Bigshop_Flashsale_V1_Campaign) {
        let admin = try await shop.admin()
        let iphone = try await admin.catalog.createProduct(
            .init(
                sku: "IPHONE-BF-\(UUID().uuidString.prefix(6))", name: "iPhone 15 128 GB", priceCents: 599_900, stock: 10
            ))
        let campaign = try await admin.flashSale.scheduleCampaign(
            .init(
                productId: iphone.id, startsAtMs: startsAtMs, drops: drops, unitsPerDrop: units, holdMs: holdMs
            ))
        return (admin, campaign)
    }

    /// Registers `count` customers (in parallel) and returns their clients.
    static func customers(_ count: Int, in shop: TestShop) async throws -> [ShopClients] {
        try await withThrowingTaskGroup(of: ShopClients.self) { group in
            for index in 0..<count {
                group.addTask { try await shop.newCustomer("buyer\(index)").clients }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func aThousandCustomersRaceForAHundredUnits() async throws {
        let clock = ManualClock(nowMs: Self.blackFriday + 1_000)
        try await withShop(clock: clock) { shop in
            let (admin, campaign) = try await Self.campaign(in: shop, startsAtMs: Self.blackFriday)
            let buyers = try await Self.customers(1_000, in: shop)
            // 2,000 presses: every customer twice, all at once, on 1,000 connections.
            let outcomes: [(customer: Int, reservation: Bigshop_Flashsale_V1_Reservation?, error: RPCError?)] =
                try await withThrowingTaskGroup(of: (Int, Bigshop_Flashsale_V1_Reservation?, RPCError?).self) { group in
                    for press in 0..<2_000 {
                        let customer = press % 1_000
                        group.addTask {
                            do {
                                return (customer, try await buyers[customer].flashSale.reserve(.init(campaignId: campaign.id)), nil)
                            } catch let error as RPCError {
                                return (customer, nil, error)
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            let granted = outcomes.filter { $0.reservation != nil }
            #expect(granted.count == 100)
            #expect(Set(granted.map(\.customer)).count == 100, "one hold per customer")
            #expect(Set(granted.compactMap { $0.reservation?.orderId }).count == 100)
            let reasons = outcomes.compactMap { $0.error?.metadata["reason"] }
            #expect(reasons.count == 1_900)
            #expect(Set(reasons).isSubset(of: ["SOLD_OUT", "LIMIT_REACHED"]))
            #expect(
                outcomes.compactMap(\.error).allSatisfy { error in
                    error.metadata["reason"] == "SOLD_OUT" ? error.code == .failedPrecondition : error.code == .alreadyExists
                })
            let drop = try await shop.clients().flashSale.getCurrentDrop(.init(campaignId: campaign.id))
            #expect(drop.remaining == 0)
            #expect(drop.unitsReleased == 100)
            // Each hold is a PENDING_PAYMENT order at the campaign price.
            let order = try await admin.orders.getOrder(.init(id: granted[0].reservation!.orderId))
            #expect(order.status == .pendingPayment)
            #expect(order.totalCents == 100)
            #expect(order.paymentDueAtMs == granted[0].reservation!.expiresAtMs)
        }
    }

    @Test func unpaidHoldsExpireBackIntoThePoolAndDropsAddUp() async throws {
        let clock = ManualClock(nowMs: Self.blackFriday + 1_000)
        try await withShop(clock: clock) { shop in
            let (_, campaign) = try await Self.campaign(in: shop, units: 3, holdMs: 60_000, startsAtMs: Self.blackFriday)
            let buyers = try await Self.customers(4, in: shop)
            var reservations: [Bigshop_Flashsale_V1_Reservation] = []
            for buyer in buyers.prefix(3) {
                reservations.append(try await buyer.flashSale.reserve(.init(campaignId: campaign.id)))
            }
            #expect(await rpcError(try await buyers[3].flashSale.reserve(.init(campaignId: campaign.id)))?.metadata["reason"] == "SOLD_OUT")
            #expect(await rpcError(try await buyers[0].flashSale.reserve(.init(campaignId: campaign.id)))?.metadata["reason"] == "LIMIT_REACHED")

            // One hold is paid; the two others expire unpaid.
            let paid = try await buyers[0].payments.pay(
                .init(
                    orderId: reservations[0].orderId,
                    method: .card(
                        .init(
                            number: "4111111111111111", holder: "Ana Souza", expMonth: 12, expYear: 2030, cvv: "123"
                        ))))
            #expect(paid.status == .approved)
            clock.advance(byMs: 61_000)
            #expect(await eventually { try await shop.clients().flashSale.getCurrentDrop(.init(campaignId: campaign.id)).remaining == 2 })
            let expired = try await buyers[1].orders.getOrder(.init(id: reservations[1].orderId))
            #expect(expired.status == .cancelled)
            #expect(expired.statusReason == "PAYMENT_EXPIRED")
            // A customer whose hold expired may try again within the drop
            // (once the gateway has heard the units are back: within 50 ms).
            #expect(await eventually { (try? await buyers[1].flashSale.reserve(.init(campaignId: campaign.id))) != nil })
            let afterRetry = try await shop.clients().flashSale.getCurrentDrop(.init(campaignId: campaign.id))
            // sold 1 + held 1 + remaining 1 = released 3
            #expect(afterRetry.remaining == 1)

            // An hour later that hold has expired too, and the next drop adds
            // its 3 units to what was left: sold 1 + held 0 + remaining 5 = 6.
            clock.set(nowMs: Self.blackFriday + 3_600_000 + 1_000)
            #expect(await eventually { try await shop.clients().flashSale.getCurrentDrop(.init(campaignId: campaign.id)).remaining == 5 })
            let second = try await shop.clients().flashSale.getCurrentDrop(.init(campaignId: campaign.id))
            #expect(second.index == 1)
            #expect(second.unitsReleased == 6)
        }
    }

    @Test func aWholeDayOfDropsInSeconds() async throws {
        let clock = ManualClock(nowMs: Self.blackFriday - 60_000)
        try await withShop(clock: clock) { shop in
            let (_, campaign) = try await Self.campaign(in: shop, units: 100, startsAtMs: Self.blackFriday)
            #expect(campaign.drops == 24)
            #expect(campaign.priceCents == 100)
            #expect(campaign.dropIntervalMs == 3_600_000)
            let buyer = try await shop.newCustomer().clients
            #expect(await rpcError(try await buyer.flashSale.reserve(.init(campaignId: campaign.id)))?.metadata["reason"] == "NO_ACTIVE_DROP")
            var held = 0
            for hour in 0..<24 {
                clock.set(nowMs: Self.blackFriday + Int64(hour) * 3_600_000 + 5_000)
                _ = try await buyer.flashSale.reserve(.init(campaignId: campaign.id))
                held += 1
                let drop = try await shop.clients().flashSale.getCurrentDrop(.init(campaignId: campaign.id))
                #expect(drop.index == Int32(hour))
                #expect(drop.unitsReleased == Int32((hour + 1) * 100))
                // Holds of earlier hours expired after 10 minutes and came back.
                #expect(
                    await eventually {
                        try await shop.clients().flashSale.getCurrentDrop(.init(campaignId: campaign.id)).remaining == Int32((hour + 1) * 100 - 1)
                    })
            }
            #expect(held == 24)
            clock.set(nowMs: Self.blackFriday + 24 * 3_600_000 + 1)
            // The day is over (and the first session expired with it: sign in again).
            let late = try await shop.newCustomer("late").clients
            #expect(await rpcError(try await late.flashSale.reserve(.init(campaignId: campaign.id)))?.metadata["reason"] == "NO_ACTIVE_DROP")
        }
    }

    @Test func onceSoldOutTheGatewayAnswersWithoutTheOwner() async throws {
        let clock = ManualClock(nowMs: Self.blackFriday + 1_000)
        try await withShop(clock: clock) { shop in
            let (_, campaign) = try await Self.campaign(in: shop, units: 3, startsAtMs: Self.blackFriday)
            let buyers = try await Self.customers(13, in: shop)
            let admission = try #require(shop.app.admission)
            for buyer in buyers.prefix(3) {
                _ = try await buyer.flashSale.reserve(.init(campaignId: campaign.id))
            }
            #expect(await eventually { admission.hasFeed(for: campaign.id) })
            let before = admission.counts
            for buyer in buyers[3...] {
                #expect(await rpcError(try await buyer.flashSale.reserve(.init(campaignId: campaign.id)))?.metadata["reason"] == "SOLD_OUT")
            }
            let after = admission.counts
            // At most the first press goes on to learn it is sold out.
            #expect(after.soldOut - before.soldOut >= 9)
            #expect(after.admitted - before.admitted <= 1)
            // A customer holding a unit who presses again is told so by the
            // owner (its limit comes first), not SOLD_OUT by the gateway.
            #expect(await rpcError(try await buyers[0].flashSale.reserve(.init(campaignId: campaign.id)))?.metadata["reason"] == "LIMIT_REACHED")
            // Before the campaign's first drop the gateway answers too.
            let later = try await Self.campaign(in: shop, units: 3, startsAtMs: Self.blackFriday + 3_600_000)
            #expect(await rpcError(try await buyers[5].flashSale.reserve(.init(campaignId: later.1.id)))?.metadata["reason"] == "NO_ACTIVE_DROP")
            #expect(await eventually { admission.hasFeed(for: later.1.id) })
            #expect(await rpcError(try await buyers[6].flashSale.reserve(.init(campaignId: later.1.id)))?.metadata["reason"] == "NO_ACTIVE_DROP")
            #expect(admission.counts.noActiveDrop >= 1)
        }
    }

    @Test func watchersFollowTheDropFromTheGatewaysFeed() async throws {
        let clock = ManualClock(nowMs: Self.blackFriday + 1_000)
        try await withShop(clock: clock) { shop in
            let (_, campaign) = try await Self.campaign(in: shop, units: 3, startsAtMs: Self.blackFriday)
            let buyer = try await shop.newCustomer().clients
            let anonymous = shop.clients()
            // Two watchers, anonymous (WatchDrop is public): each sees 3, then 2.
            try await withThrowingTaskGroup(of: [Int32].self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await anonymous.flashSale.watchDrop(.init(campaignId: campaign.id)) { updates in
                            var seen: [Int32] = []
                            for try await update in updates {
                                #expect(update.open)
                                #expect(update.nextDropAtMs == Self.blackFriday + 3_600_000)
                                if seen.last != update.drop?.remaining { seen.append(update.drop?.remaining ?? -1) }
                                if seen.last == 2 { break }
                            }
                            return seen
                        }
                    }
                }
                #expect(await eventually { shop.app.admission?.hasFeed(for: campaign.id) == true })
                _ = try await buyer.flashSale.reserve(.init(campaignId: campaign.id))
                for try await seen in group {
                    #expect(seen == [3, 2])
                }
            }
            // An unknown campaign is NOT_FOUND, as the owner says.
            #expect(
                await rpcError(try await anonymous.flashSale.watchDrop(.init(campaignId: "cmp_nope")) { updates in for try await _ in updates {} })?.code
                    == .notFound)
        }
    }
}
