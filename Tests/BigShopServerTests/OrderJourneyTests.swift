import BigRPC
import BigShopCatalogAPI
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import Foundation
import PaymentRules
import Synchronization
import Testing

/// Orders, payments and history end to end through the real server.
@Suite struct OrderJourneyTests {
    typealias Card = Bigshop_Payments_V1_CardMethod

    static let approvedCard = Card(number: "4111 1111 1111 1111", holder: "Ana Souza", expMonth: 12, expYear: 2031, cvv: "123")
    static let declinedCard = Card(number: "4000000000000002", holder: "Ana Souza", expMonth: 12, expYear: 2031, cvv: "123")

    static func product(_ admin: ShopClients, stock: Int64 = 10, price: Int64 = 150_000) async throws -> Bigshop_Catalog_V1_Product {
        try await admin.catalog.createProduct(
            .init(
                sku: "SKU-\(UUID().uuidString.prefix(8))", name: "Notebook", priceCents: price, stock: stock, category: "informatica"
            ))
    }

    /// Collects a WatchOrder stream's events until it ends.
    final class Watched: Sendable {
        let events = Mutex<[Bigshop_History_V1_OrderEvent]>([])
    }

    @Test func theFullJourneyWatchedLive() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let notebook = try await Self.product(admin, stock: 5, price: 240_000)
            let (ana, user) = try await shop.newCustomer("ana")

            _ = try await ana.orders.setCartItem(.init(productId: notebook.id, quantity: 2))
            let cart = try await ana.orders.getCart(.init())
            #expect(cart.totalCents == 480_000)
            let order = try await ana.orders.checkout(.init())
            #expect(order.status == .pendingPayment)
            #expect(order.userId == user.id)
            #expect(order.totalCents == 480_000)
            #expect(order.paymentDueAtMs > order.createdAtMs)
            #expect(try await ana.orders.getCart(.init()).items.isEmpty)
            #expect(try await admin.catalog.getProduct(.init(id: notebook.id)).stock == 3)
            // Prices are frozen at checkout.
            _ = try await admin.catalog.updateProduct(.init(product: .init(id: notebook.id, priceCents: 1)))
            #expect(try await ana.orders.getOrder(.init(id: order.id)).totalCents == 480_000)

            let watched = Watched()
            let watcher = Task {
                try await ana.history.watchOrder(.init(orderId: order.id)) { events in
                    for try await event in events { watched.events.withLock { $0.append(event) } }
                }
            }
            let declined = try await ana.payments.pay(.init(orderId: order.id, method: .card(Self.declinedCard)))
            #expect(declined.status == .declined)
            #expect(declined.declineReason == "card_declined")
            #expect(declined.amountCents == 480_000)
            #expect(try await ana.orders.getOrder(.init(id: order.id)).status == .pendingPayment)

            let paid = try await ana.payments.pay(.init(orderId: order.id, method: .card(Self.approvedCard)))
            #expect(paid.status == .approved)
            #expect(paid.cardLast4 == "1111")
            #expect(paid.cardBrand == "visa")
            #expect(try await ana.orders.getOrder(.init(id: order.id)).status == .confirmed)
            #expect(try await ana.payments.getPayment(.init(id: paid.id)) == paid)
            #expect(await rpcError(try await ana.payments.pay(.init(orderId: order.id, method: .card(Self.approvedCard))))?.metadata["reason"] == "NOT_PAYABLE")

            _ = try await admin.orders.updateOrderStatus(.init(id: order.id, status: .shipped))
            #expect(await code(try await admin.orders.updateOrderStatus(.init(id: order.id, status: .confirmed))) == .failedPrecondition)
            _ = try await admin.orders.updateOrderStatus(.init(id: order.id, status: .delivered))
            try await watcher.value
            // One event per change of status; the declined payment changed none.
            #expect(watched.events.withLock { $0.map(\.status) } == [.pendingPayment, .confirmed, .shipped, .delivered])

            let listed = try await ana.history.listOrders(.init())
            #expect(listed.orders.map(\.id) == [order.id])
            #expect(listed.orders.first?.status == .delivered)
        }
    }

    @Test func thePixJourney() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let tv = try await Self.product(admin, price: 48_000)
            let (bia, _) = try await shop.newCustomer("bia")
            _ = try await bia.orders.setCartItem(.init(productId: tv.id, quantity: 1))
            let order = try await bia.orders.checkout(.init())
            let pix = try await bia.payments.pay(.init(orderId: order.id, method: .pix(.init())))
            #expect(pix.status == .pending)
            #expect(pix.method == .pix)
            #expect((1...25).contains(pix.pixTxid.count))
            let parsed = try PixBRCode.parse(pix.pixCopyPaste)
            #expect(parsed.amount == 48_000)
            #expect(parsed.txid == pix.pixTxid)
            #expect(pix.pixCopyPaste.contains("5406480.00"))
            #expect(pix.pixCopyPaste.contains("0014br.gov.bcb.pix"))
            #expect(await code(try await bia.payments.confirmPix(.init(txid: pix.pixTxid))) == .permissionDenied)
            let confirmed = try await admin.payments.confirmPix(.init(txid: pix.pixTxid))
            #expect(confirmed.status == .approved)
            #expect(try await bia.orders.getOrder(.init(id: order.id)).status == .confirmed)
        }
    }

    @Test func cancellationAndExpiryReturnStock() async throws {
        let clock = ManualClock(nowMs: 1_795_834_800_000)
        try await withShop(clock: clock) { shop in
            let admin = try await shop.admin()
            let phone = try await Self.product(admin, stock: 4)
            let (caio, _) = try await shop.newCustomer("caio")
            _ = try await caio.orders.setCartItem(.init(productId: phone.id, quantity: 3))
            let cancelled = try await caio.orders.checkout(.init())
            #expect(try await admin.catalog.getProduct(.init(id: phone.id)).stock == 1)
            let after = try await caio.orders.cancelOrder(.init(id: cancelled.id))
            #expect(after.status == .cancelled)
            #expect(try await admin.catalog.getProduct(.init(id: phone.id)).stock == 4)

            // A cancellation starts the checkout cool-down (HostileShopTests).
            clock.advance(byMs: 5 * 60 * 1000)
            _ = try await caio.orders.setCartItem(.init(productId: phone.id, quantity: 2))
            let unpaid = try await caio.orders.checkout(.init())
            let pix = try await caio.payments.pay(.init(orderId: unpaid.id, method: .pix(.init())))
            clock.advance(byMs: 15 * 60 * 1000 + 1)
            #expect(
                await eventually {
                    try await caio.orders.getOrder(.init(id: unpaid.id)).status == .cancelled
                })
            let expired = try await caio.orders.getOrder(.init(id: unpaid.id))
            #expect(expired.statusReason == "PAYMENT_EXPIRED")
            // The expiry's compensation abandons the order before it releases
            // the stock (never the other way round: a payable order must keep
            // its units), so the units come back just after CANCELLED shows.
            #expect(await eventually { try await admin.catalog.getProduct(.init(id: phone.id)).stock == 4 })
            #expect(try await caio.payments.getPayment(.init(id: pix.id)).status == .expired)
            #expect(await rpcError(try await admin.payments.confirmPix(.init(txid: pix.pixTxid)))?.metadata["reason"] == "NOT_PAYABLE")
        }
    }

    @Test func outOfStockAndEmptyCartTakeNothing() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let plenty = try await Self.product(admin, stock: 10)
            let scarce = try await Self.product(admin, stock: 1)
            let (dani, _) = try await shop.newCustomer("dani")
            #expect(await rpcError(try await dani.orders.checkout(.init()))?.metadata["reason"] == "EMPTY_CART")
            _ = try await dani.orders.setCartItem(.init(productId: plenty.id, quantity: 3))
            _ = try await dani.orders.setCartItem(.init(productId: scarce.id, quantity: 2))
            let refused = await rpcError(try await dani.orders.checkout(.init()))
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.metadata["reason"] == "OUT_OF_STOCK")
            #expect(refused?.message.contains(scarce.id) == true || refused?.message.contains(scarce.name) == true)
            #expect(try await admin.catalog.getProduct(.init(id: plenty.id)).stock == 10)
            #expect(try await admin.catalog.getProduct(.init(id: scarce.id)).stock == 1)
            #expect(try await dani.orders.getCart(.init()).items.count == 2)
            #expect(await code(try await dani.orders.setCartItem(.init(productId: plenty.id, quantity: -1))) == .invalidArgument)
            #expect(await code(try await dani.orders.setCartItem(.init(productId: "prd_nope", quantity: 1))) == .invalidArgument)
        }
    }

    @Test func anotherCustomerSeesNothing() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let item = try await Self.product(admin)
            let (owner, _) = try await shop.newCustomer("owner")
            let (other, _) = try await shop.newCustomer("other")
            _ = try await owner.orders.setCartItem(.init(productId: item.id, quantity: 1))
            let order = try await owner.orders.checkout(.init())
            let payment = try await owner.payments.pay(.init(orderId: order.id, method: .pix(.init())))

            #expect(await code(try await other.orders.getOrder(.init(id: order.id))) == .notFound)
            #expect(await code(try await other.orders.cancelOrder(.init(id: order.id))) == .notFound)
            #expect(await code(try await other.payments.getPayment(.init(id: payment.id))) == .notFound)
            #expect(await code(try await other.payments.pay(.init(orderId: order.id, method: .pix(.init())))) == .notFound)
            #expect(
                await code(
                    try await other.history.watchOrder(.init(orderId: order.id)) { events in
                        for try await _ in events {}
                    }) == .notFound)
            #expect(try await other.history.listOrders(.init()).orders.isEmpty)
            // An admin sees every order.
            #expect(try await admin.orders.getOrder(.init(id: order.id)).id == order.id)
            #expect(try await admin.history.listOrders(.init()).orders.map(\.id).contains(order.id))
        }
    }

    @Test func retriesWithAnIdempotencyKeyAreSafe() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let item = try await Self.product(admin, stock: 10)
            let (eva, _) = try await shop.newCustomer("eva")
            _ = try await eva.orders.setCartItem(.init(productId: item.id, quantity: 2))
            let first = try await eva.orders.checkout(.init(), metadata: ["idempotency-key": "checkout-1"])
            let retry = try await eva.orders.checkout(.init(), metadata: ["idempotency-key": "checkout-1"])
            #expect(first.id == retry.id)
            #expect(try await admin.catalog.getProduct(.init(id: item.id)).stock == 8)
            let pay = Bigshop_Payments_V1_PayRequest(orderId: first.id, method: .card(Self.approvedCard))
            let paid = try await eva.payments.pay(pay, metadata: ["idempotency-key": "pay-1"])
            let again = try await eva.payments.pay(pay, metadata: ["idempotency-key": "pay-1"])
            #expect(paid == again)
            #expect(paid.status == .approved)
        }
    }

    @Test func concurrentCheckoutsNeverOversell() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let item = try await Self.product(admin, stock: 10)
            let buyers = try await FlashSaleFlowTests.customers(30, in: shop)
            for buyer in buyers { _ = try await buyer.orders.setCartItem(.init(productId: item.id, quantity: 1)) }
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for buyer in buyers {
                    group.addTask { await code(try await buyer.orders.checkout(.init())) == nil }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 10)
            #expect(try await admin.catalog.getProduct(.init(id: item.id)).stock == 0)
        }
    }
}
