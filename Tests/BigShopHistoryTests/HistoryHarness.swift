import BigRPC
import BigShopHistoryAPI
import BigShopOrders
import BigShopOrdersAPI
import BigShopServer
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport

/// The history service over a real orders service in a ``TestShop``
/// (SQLite files in a temporary directory, a manual clock). Orders are made
/// through the OrderLedger, as the checkout saga makes them, so no catalog or
/// saga is needed.
final class HistoryHarness: Sendable {
    static let startMs: Int64 = 1_750_000_000_000

    let clock: ManualClock
    let module: OrdersModule
    let history: Bigshop_History_V1_HistoryService.Client
    let ledger: Bigshop_Orders_V1_OrderLedger.Client
    let orders: Bigshop_Orders_V1_OrdersService.Client

    private init(clock: ManualClock, shop: TestShop) {
        self.clock = clock
        self.module = shop.shop.orders!
        self.history = .init(wrapping: shop.client)
        self.ledger = .init(wrapping: shop.client)
        self.orders = .init(wrapping: shop.client)
    }

    /// Runs `body` with a harness over a fresh directory, removed afterwards.
    static func with<T: Sendable>(_ body: (HistoryHarness) async throws -> T) async throws -> T {
        let clock = ManualClock(nowMs: startMs)
        return try await withShop([.orders, .history], clock: clock) { shop in
            try await body(HistoryHarness(clock: clock, shop: shop))
        }
    }

    /// Creates an order through the ledger, as the saga would.
    @discardableResult
    func placeOrder(for userID: String, id: String = ShopID.make("ord")) async throws -> Bigshop_Orders_V1_Order {
        try await ledger.createOrder(
            .init(
                order: .init(
                    id: id, userId: userID,
                    items: [.init(productId: "prod_mug", name: "Mug", quantity: 2, unitPriceCents: 1_500)],
                    totalCents: 3_000, paymentDueAtMs: clock.nowMs() + 15 * 60 * 1000)))
    }

    func confirm(_ orderID: String) async throws {
        _ = try await ledger.confirmOrder(.init(orderId: orderID))
    }

    func abandon(_ orderID: String, reason: String = "PAYMENT_EXPIRED") async throws {
        _ = try await ledger.abandonOrder(.init(orderId: orderID, reason: reason))
    }

    func advance(_ orderID: String, to status: Bigshop_Orders_V1_OrderStatus) async throws {
        _ = try await orders.updateOrderStatus(.init(id: orderID, status: status), metadata: TestPrincipalInterceptor.admin())
    }
}
