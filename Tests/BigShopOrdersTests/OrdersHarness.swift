import BigRPC
import BigShopCatalogAPI
import BigShopHistoryAPI
import BigShopOrchestratorAPI
import BigShopOrders
import BigShopOrdersAPI
import BigShopServer
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import Foundation

/// The orders service with the real catalog, the history service and a fake
/// checkout saga in a ``TestShop``, over SQLite files in a temporary
/// directory, with a manual clock. Callers act through generated clients,
/// naming the caller with ``TestPrincipalInterceptor`` metadata.
final class OrdersHarness: Sendable {
    static let startMs: Int64 = 1_750_000_000_000

    let shop: TestShop
    let clock: ManualClock
    let saga: FakeCheckoutSaga
    var directory: String { shop.dataDirectory }
    var ordersModule: OrdersModule { shop.shop.orders! }

    let catalog: Bigshop_Catalog_V1_CatalogService.Client
    let orders: Bigshop_Orders_V1_OrdersService.Client
    let ledger: Bigshop_Orders_V1_OrderLedger.Client
    let history: Bigshop_History_V1_HistoryService.Client

    private init(shop: TestShop, clock: ManualClock, saga: FakeCheckoutSaga) {
        self.shop = shop
        self.clock = clock
        self.saga = saga
        catalog = .init(wrapping: shop.client)
        orders = .init(wrapping: shop.client)
        ledger = .init(wrapping: shop.client)
        history = .init(wrapping: shop.client)
    }

    /// Runs `body` with a harness over `directory` (fresh, and removed
    /// afterwards, when nil), stopping it afterwards.
    static func with<T: Sendable>(
        directory: String? = nil,
        settings: OrdersSettings = OrdersSettings(),
        _ body: (OrdersHarness) async throws -> T
    ) async throws -> T {
        let clock = ManualClock(nowMs: startMs)
        var saga: FakeCheckoutSaga?
        return try await withShop(
            [.catalog, .orders, .history], directory: directory, clock: clock,
            assemble: {
                let fake = FakeCheckoutSaga(ledger: .init(wrapping: RPCClient(transport: $0.transport)), clock: clock)
                saga = fake
                $0.extraServices = [fake]
                $0.orders = settings
            }
        ) { shop in
            try await body(OrdersHarness(shop: shop, clock: clock, saga: saga!))
        }
    }

    /// A fresh temporary directory, removed by `body`'s end.
    static func withDirectory<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bigshop-orders-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await body(directory)
    }

    // MARK: Shortcuts

    /// A product on sale, created by an admin.
    func product(
        _ name: String, priceCents: Int64, stock: Int64 = 100
    ) async throws -> Bigshop_Catalog_V1_Product {
        try await catalog.createProduct(
            Bigshop_Catalog_V1_CreateProductRequest(
                sku: "SKU-\(name)-\(UUID().uuidString.prefix(8))", name: name, description: "", priceCents: priceCents,
                stock: stock, category: "test"),
            metadata: TestPrincipalInterceptor.admin())
    }

    /// Creates an order straight through the ledger, as the saga would.
    @discardableResult
    func placeOrder(
        for userID: String,
        id: String = ShopID.make("ord"),
        items: [(product: String, quantity: Int64, price: Int64)] = [("prod_a", 2, 1_500)]
    ) async throws -> Bigshop_Orders_V1_Order {
        let lines = items.map {
            Bigshop_Orders_V1_OrderItem(productId: $0.product, name: "Item \($0.product)", quantity: $0.quantity, unitPriceCents: $0.price)
        }
        return try await ledger.createOrder(
            Bigshop_Orders_V1_CreateOrderRequest(
                order: Bigshop_Orders_V1_Order(
                    id: id, userId: userID, items: lines,
                    totalCents: lines.reduce(0) { $0 + $1.quantity * $1.unitPriceCents },
                    paymentDueAtMs: clock.nowMs() + FakeCheckoutSaga.paymentWindowMs)))
    }

    /// Moves an order to `status` through the ledger and the admin's moves.
    func move(_ orderID: String, to status: Bigshop_Orders_V1_OrderStatus) async throws {
        switch status {
        case .pendingPayment:
            return
        case .cancelled:
            _ = try await ledger.abandonOrder(Bigshop_Orders_V1_AbandonOrderRequest(orderId: orderID, reason: "PAYMENT_EXPIRED"))
        default:
            _ = try await ledger.confirmOrder(Bigshop_Orders_V1_ConfirmOrderRequest(orderId: orderID))
            for next in [Bigshop_Orders_V1_OrderStatus.shipped, .delivered] where next.rawValue <= status.rawValue {
                _ = try await orders.updateOrderStatus(
                    Bigshop_Orders_V1_UpdateOrderStatusRequest(id: orderID, status: next),
                    metadata: TestPrincipalInterceptor.admin())
            }
        }
    }

    /// The first `count` status events of the order, through a ledger watch.
    func events(of orderID: String, count: Int) async throws -> [Bigshop_Orders_V1_OrderStatusChange] {
        try await ledger.watchOrderEvents(Bigshop_Orders_V1_WatchOrderEventsRequest(orderId: orderID)) { stream in
            var events: [Bigshop_Orders_V1_OrderStatusChange] = []
            for try await event in stream {
                events.append(event)
                if events.count == count { break }
            }
            return events
        }
    }
}
