import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopTestSupport
import SeededRandom
import Testing

@testable import BigShopOrchestrator

/// Customers check out, pay, fail to pay and cancel, concurrently, while the
/// shop dies and restarts under them and the clock runs; afterwards every
/// saga rests and the invariants hold.
@Suite("Crash soak")
struct CrashSoakTests {
    @Test("concurrent checkouts and payments across repeated crashes keep the invariants")
    func soak() async throws {
        try await ShopHarness.with { shop in
            var products: [Bigshop_Catalog_V1_Product] = []
            for index in 0..<3 {
                products.append(try await shop.product("Product \(index)", priceCents: Int64(1_000 * (index + 1)), stock: 40))
            }
            let catalog = products

            let checkouts = Tally()
            let restarts = Tally()
            // Bounded in time, not in attempts: while the shop restarts every
            // call fails at once, and the checkout limits (unpaid orders,
            // cool-downs on a clock that moves only at restarts) refuse many
            // checkouts, so no number of attempts is enough on a slow machine.
            let deadline = ContinuousClock.now + .seconds(90)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for customer in 0..<6 {
                    group.addTask {
                        var random = SplitMix64(seed: UInt64(customer + 1))
                        while restarts.value < 5 && ContinuousClock.now < deadline {
                            if await Self.visit(as: "user\(customer)", shop: shop, catalog: catalog, random: &random) {
                                checkouts.add()
                            } else {
                                try await Task.sleep(for: .milliseconds(2))
                            }
                        }
                    }
                }
                // Each crash comes once a few more checkouts went through, so
                // that it falls among flows in progress.
                group.addTask {
                    for round in 1...5 {
                        var progress = (checkouts: checkouts.value, at: ContinuousClock.now)
                        while checkouts.value < round * 5 && ContinuousClock.now < deadline {
                            if checkouts.value != progress.checkouts {
                                progress = (checkouts.value, ContinuousClock.now)
                            } else if ContinuousClock.now - progress.at > .seconds(2) {
                                // Every customer is held by the checkout limits
                                // (three unpaid orders, cool-downs), which only
                                // time lifts: unpaid orders expire, cool-downs end.
                                shop.clock.advance(byMs: 4 * 60_000)
                                progress.at = ContinuousClock.now
                            }
                            try await Task.sleep(for: .milliseconds(1))
                        }
                        shop.clock.advance(byMs: 4 * 60_000)
                        try await shop.restart()
                        restarts.add()
                    }
                }
                try await group.waitForAll()
            }
            #expect(checkouts.value >= 25, "the customers checked out \(checkouts.value) times within 90 s")

            // The last life: everything unpaid expires (the scanner may be
            // at it too; whoever moves a saga first settles it), and all
            // comes to rest.
            try await shop.restart()
            shop.clock.advance(byMs: 2 * ShopHarness.windowMs)
            try await shop.run.orchestrator.coordinator.expireDuePayments()
            try await shop.expectInvariants(initialStock: catalog)
            let orders = try await shop.run.ledger.listOrdersOf(.init(userId: "", pageSize: 500)).orders
            #expect(!orders.contains { $0.status == .pendingPayment })
            #expect(orders.contains { $0.status == .confirmed })
        }
    }

    /// One customer's visit: a checkout, then one of paying by card (maybe
    /// declined), paying by Pix (maybe confirmed), cancelling, or leaving.
    /// Failures are expected while the shop restarts. Returns whether the
    /// checkout went through.
    private static func visit(
        as user: String,
        shop: ShopHarness,
        catalog: [Bigshop_Catalog_V1_Product],
        random: inout SplitMix64
    ) async -> Bool {
        let product = catalog[Int(random.next() % UInt64(catalog.count))]
        let quantity = Int64(1 + random.next() % 3)
        let choice = random.next() % 5
        guard let order = try? await shop.buy(user, [(product, quantity)]) else { return false }
        switch choice {
        case 0:
            _ = try? await shop.payByCard(user, order)
        case 1:
            _ = try? await shop.payByCard(user, order, number: TestCards.declined)
            _ = try? await shop.payByCard(user, order)
        case 2:
            if let pix = try? await shop.payByPix(user, order) { _ = try? await shop.confirmPix(pix) }
        case 3:
            _ = try? await shop.orders.cancelOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.customer(user))
        default:
            break
        }
        return true
    }
}
