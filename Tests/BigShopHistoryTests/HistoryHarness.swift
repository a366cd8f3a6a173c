import BigShopTestSupport
import BigRPC
import BigShopHistory
import BigShopHistoryAPI
import BigShopOrders
import BigShopOrdersAPI
import BigShopServiceKit
import Foundation

/// The history service over a real orders service (SQLite files in a
/// temporary directory, a manual clock), in one in-process server. Orders are
/// made through the OrderLedger, as the checkout saga makes them, so no
/// catalog or saga is needed: their clients point at a server without them.
final class HistoryHarness: Sendable {
    static let startMs: Int64 = 1_750_000_000_000

    let clock: ManualClock
    let module: OrdersModule
    let history: Bigshop_History_V1_HistoryService.Client
    let ledger: Bigshop_Orders_V1_OrderLedger.Client
    let orders: Bigshop_Orders_V1_OrdersService.Client

    private init(clock: ManualClock, module: OrdersModule, client: RPCClient) {
        self.clock = clock
        self.module = module
        self.history = .init(wrapping: client)
        self.ledger = .init(wrapping: client)
        self.orders = .init(wrapping: client)
    }

    /// Runs `body` with a harness over a fresh directory, removed afterwards.
    static func with<T: Sendable>(_ body: (HistoryHarness) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bigshop-history-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock(nowMs: startMs)
        let unreachable = RPCClient(transport: InProcessTransport(server: RPCServer(services: [])))
        let module = try await OrdersModule.open(
            dataDirectory: directory, clock: clock, inventory: .init(wrapping: unreachable), saga: .init(wrapping: unreachable))
        let ordersServer = RPCServer(services: [module.orderLedger, module.ordersService], interceptors: [TestPrincipalInterceptor()])
        let ledger = Bigshop_Orders_V1_OrderLedger.Client(wrapping: RPCClient(transport: InProcessTransport(server: ordersServer)))
        let server = RPCServer(
            services: [module.orderLedger, module.ordersService, HistoryServiceProvider(ledger: ledger)],
            interceptors: [TestPrincipalInterceptor()])
        let harness = HistoryHarness(clock: clock, module: module, client: RPCClient(transport: InProcessTransport(server: server)))
        do {
            let result = try await body(harness)
            await module.close()
            return result
        } catch {
            await module.close()
            throw error
        }
    }

    /// Creates an order through the ledger, as the saga would.
    @discardableResult
    func placeOrder(for userID: String, id: String = ShopID.make("ord")) async throws -> Bigshop_Orders_V1_Order {
        try await ledger.createOrder(.init(order: .init(
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
