import BigShopTestSupport
import BigRPC
import BigShopCatalog
import BigShopCatalogAPI
import BigShopHistory
import BigShopHistoryAPI
import BigShopOrchestratorAPI
import BigShopOrders
import BigShopOrdersAPI
import BigShopServiceKit
import Foundation

/// The orders service with the real catalog, the history service and a fake
/// checkout saga in one in-process server, over SQLite files in a temporary
/// directory, with a manual clock. Callers act through generated clients,
/// naming the caller with ``TestPrincipalInterceptor`` metadata.
final class OrdersHarness: Sendable {
    static let startMs: Int64 = 1_750_000_000_000

    let directory: String
    let clock: ManualClock
    let catalogModule: CatalogModule
    let ordersModule: OrdersModule
    let saga: FakeCheckoutSaga

    let catalog: Bigshop_Catalog_V1_CatalogService.Client
    let orders: Bigshop_Orders_V1_OrdersService.Client
    let ledger: Bigshop_Orders_V1_OrderLedger.Client
    let history: Bigshop_History_V1_HistoryService.Client

    private init(
        directory: String, clock: ManualClock, catalogModule: CatalogModule, ordersModule: OrdersModule,
        saga: FakeCheckoutSaga, client: RPCClient
    ) {
        self.directory = directory
        self.clock = clock
        self.catalogModule = catalogModule
        self.ordersModule = ordersModule
        self.saga = saga
        self.catalog = Bigshop_Catalog_V1_CatalogService.Client(wrapping: client)
        self.orders = Bigshop_Orders_V1_OrdersService.Client(wrapping: client)
        self.ledger = Bigshop_Orders_V1_OrderLedger.Client(wrapping: client)
        self.history = Bigshop_History_V1_HistoryService.Client(wrapping: client)
    }

    /// Runs `body` with a harness over a fresh directory, removed afterwards.
    static func with<T: Sendable>(
        settings: OrdersSettings = OrdersSettings(),
        _ body: (OrdersHarness) async throws -> T
    ) async throws -> T {
        try await withDirectory { directory in
            try await with(directory: directory, settings: settings, body)
        }
    }

    /// Runs `body` with a harness over `directory` (fresh or reopened),
    /// closing it afterwards.
    static func with<T: Sendable>(
        directory: String,
        settings: OrdersSettings = OrdersSettings(),
        _ body: (OrdersHarness) async throws -> T
    ) async throws -> T {
        let harness = try await open(directory: directory, settings: settings)
        do {
            let result = try await body(harness)
            await harness.close()
            return result
        } catch {
            await harness.close()
            throw error
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

    private static func open(directory: String, settings: OrdersSettings) async throws -> OrdersHarness {
        let clock = ManualClock(nowMs: startMs)
        let transport = LateBoundTransport()
        let client = RPCClient(transport: transport)
        let catalogModule = try await CatalogModule.open(dataDirectory: directory, clock: clock)
        let ordersModule = try await OrdersModule.open(
            dataDirectory: directory,
            clock: clock,
            inventory: Bigshop_Catalog_V1_InventoryService.Client(wrapping: client),
            saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client(wrapping: client),
            settings: settings)
        let saga = FakeCheckoutSaga(ledger: Bigshop_Orders_V1_OrderLedger.Client(wrapping: client), clock: clock)
        let server = RPCServer(
            services: [
                catalogModule.catalogService, catalogModule.inventoryService,
                ordersModule.ordersService, ordersModule.orderLedger,
                HistoryServiceProvider(ledger: Bigshop_Orders_V1_OrderLedger.Client(wrapping: client)),
                saga,
            ],
            interceptors: [TestPrincipalInterceptor()])
        transport.bind(to: server)
        return OrdersHarness(
            directory: directory, clock: clock, catalogModule: catalogModule, ordersModule: ordersModule,
            saga: saga, client: client)
    }

    func close() async {
        await ordersModule.close()
        await catalogModule.close()
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
        return try await ledger.createOrder(Bigshop_Orders_V1_CreateOrderRequest(order: Bigshop_Orders_V1_Order(
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
