import BigRPC
import BigShopCatalogAPI
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServiceKit
import BigShopTestSupport
import Foundation
import Synchronization
import Testing

@testable import BigShopOrchestrator

/// The whole shop over SQLite files in a temporary directory, with a manual
/// clock, that a test can restart as if the process had died. Callers act
/// through generated clients, naming themselves with
/// ``TestPrincipalInterceptor`` metadata.
final class ShopHarness: Sendable {
    /// 2026-03-01 15:00 UTC.
    static let startMs: Int64 = 1_772_377_200_000
    /// The payment window the tests run with.
    static let windowMs: Int64 = 15 * 60 * 1_000

    let directory: String
    let clock = ManualClock(nowMs: startMs)
    let holds = RecordingHoldLedger()
    let logs = LogRecorder()
    let settings: OrchestratorSettings
    private let current = Mutex<ShopRun?>(nil)

    /// The life running now.
    var run: ShopRun {
        guard let run = current.withLock({ $0 }) else { preconditionFailure("the shop was never started") }
        return run
    }

    private init(directory: String, settings: OrchestratorSettings) {
        self.directory = directory
        self.settings = settings
    }

    /// Runs `body` with a shop over a fresh directory, removed afterwards.
    static func with<T: Sendable>(
        limits: CheckoutLimits = CheckoutLimits(),
        _ body: (ShopHarness) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bigshop-saga-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A scan interval far beyond any test's clock moves: the scanner
        // wakes only at due times and when nudged.
        let settings = OrchestratorSettings(
            expiryScanInterval: .seconds(24 * 3600),
            stepRetry: StepRetry(firstDelay: .milliseconds(1), maxDelay: .milliseconds(20), forwardAttempts: 3),
            limits: limits,
            // One orchestrator, restarted in place: recovery takes every saga at once, on
            // either engine.
            soleInstance: true)
        let harness = ShopHarness(directory: directory, settings: settings)
        try await harness.start()
        do {
            let result = try await body(harness)
            await harness.run.stop()
            return result
        } catch {
            await harness.run.stop()
            throw error
        }
    }

    /// Kills the running life (see ``ShopRun/stop()``) and starts a new one
    /// over the same files, which recovers the sagas.
    func restart() async throws {
        await run.stop()
        try await start()
    }

    private func start() async throws {
        let next = try await ShopRun(
            directory: directory, clock: clock, settings: settings, holds: holds, logs: logs)
        current.withLock { $0 = next }
    }

    // MARK: Shortcuts

    var catalog: Bigshop_Catalog_V1_CatalogService.Client { run.catalog }
    var orders: Bigshop_Orders_V1_OrdersService.Client { run.orders }
    var payments: Bigshop_Payments_V1_PaymentsService.Client { run.payments }
    var saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client { run.saga }
    var faults: FaultInjector { run.faults }

    /// A product on sale, created by an admin.
    func product(_ name: String, priceCents: Int64, stock: Int64) async throws -> Bigshop_Catalog_V1_Product {
        try await catalog.createProduct(
            Bigshop_Catalog_V1_CreateProductRequest(
                sku: "SKU-\(UUID().uuidString.prefix(12))", name: name, description: "", priceCents: priceCents,
                stock: stock, category: "test"),
            metadata: TestPrincipalInterceptor.admin())
    }

    /// The product's stock now.
    func stock(_ product: Bigshop_Catalog_V1_Product) async throws -> Int64 {
        try await catalog.getProduct(Bigshop_Catalog_V1_GetProductRequest(id: product.id)).stock
    }

    /// Fills `user`'s cart with `items`.
    func fillCart(_ user: String, _ items: [(Bigshop_Catalog_V1_Product, Int64)]) async throws {
        for (product, quantity) in items {
            _ = try await orders.setCartItem(
                Bigshop_Orders_V1_SetCartItemRequest(productId: product.id, quantity: quantity),
                metadata: TestPrincipalInterceptor.customer(user))
        }
    }

    /// Checks out `user`'s cart through OrdersService.Checkout.
    func checkout(_ user: String, idempotencyKey: String? = nil) async throws -> Bigshop_Orders_V1_Order {
        var metadata = TestPrincipalInterceptor.customer(user)
        if let idempotencyKey { metadata[Metadata.idempotencyKey] = idempotencyKey }
        return try await orders.checkout(Bigshop_Orders_V1_CheckoutRequest(), metadata: metadata)
    }

    /// Fills `user`'s cart with `items` and checks it out.
    func buy(_ user: String, _ items: [(Bigshop_Catalog_V1_Product, Int64)]) async throws -> Bigshop_Orders_V1_Order {
        try await fillCart(user, items)
        return try await checkout(user)
    }

    /// Pays `order` (of `user`) by card.
    func payByCard(
        _ user: String,
        _ order: Bigshop_Orders_V1_Order,
        number: String = TestCards.approved,
        idempotencyKey: String? = nil
    ) async throws -> Bigshop_Payments_V1_Payment {
        var metadata = TestPrincipalInterceptor.customer(user)
        if let idempotencyKey { metadata[Metadata.idempotencyKey] = idempotencyKey }
        return try await payments.pay(
            Bigshop_Payments_V1_PayRequest(orderId: order.id, method: .card(TestCards.card(number))),
            metadata: metadata)
    }

    /// Starts a Pix payment of `order` (of `user`).
    func payByPix(_ user: String, _ order: Bigshop_Orders_V1_Order) async throws -> Bigshop_Payments_V1_Payment {
        try await payments.pay(
            Bigshop_Payments_V1_PayRequest(orderId: order.id, method: .pix(Bigshop_Payments_V1_PixMethod())),
            metadata: TestPrincipalInterceptor.customer(user))
    }

    /// Approves a Pix payment, as its PSP's webhook would.
    func confirmPix(_ payment: Bigshop_Payments_V1_Payment) async throws -> Bigshop_Payments_V1_Payment {
        try await payments.confirmPix(
            Bigshop_Payments_V1_ConfirmPixRequest(txid: payment.pixTxid), metadata: TestPrincipalInterceptor.admin())
    }

    /// The order as the ledger has it now.
    func order(_ id: String) async throws -> Bigshop_Orders_V1_Order {
        try await run.ledger.lookupOrder(Bigshop_Orders_V1_LookupOrderRequest(orderId: id))
    }

    /// Every payment of the order, oldest first.
    func paymentsOf(_ orderID: String) async throws -> [Bigshop_Payments_V1_Payment] {
        try await run.paymentLedger.listPaymentsOf(Bigshop_Payments_V1_ListPaymentsOfRequest(orderId: orderID)).payments
    }

    /// The saga of the order, straight from the saga log.
    func saga(of orderID: String) async throws -> SagaRecord? {
        try await run.orchestrator.coordinator.store.saga(orderID)
    }

    /// Waits until the order has `status`; records an issue if it does not
    /// within a few seconds.
    @discardableResult
    func waitForStatus(
        _ orderID: String,
        _ status: Bigshop_Orders_V1_OrderStatus,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Bigshop_Orders_V1_Order {
        let reached = await eventually { try await self.order(orderID).status == status }
        let order = try await self.order(orderID)
        #expect(reached, "order \(orderID) is \(order.status), not \(status)", sourceLocation: sourceLocation)
        return order
    }

    // MARK: Invariants

    /// Checks what must hold whatever happened, once every saga is at rest:
    /// no order with two approved payments, every confirmed order with
    /// exactly one and no other order with any, no pending payment on a
    /// cancelled order, and per product `stock + units unpaid + units
    /// confirmed = initial`.
    func expectInvariants(
        initialStock: [Bigshop_Catalog_V1_Product],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        // Sagas finishing in the background (expiries) come to rest first.
        let store = run.orchestrator.coordinator.store
        _ = await eventually { try await store.unsettledSagas().isEmpty }
        let unsettled = try await store.unsettledSagas()
        #expect(unsettled.isEmpty, "sagas between steps: \(unsettled.map(\.orderID))", sourceLocation: sourceLocation)

        var orders: [Bigshop_Orders_V1_Order] = []
        var pageToken = ""
        repeat {
            let page = try await run.ledger.listOrdersOf(
                Bigshop_Orders_V1_ListOrdersOfRequest(userId: "", pageSize: 500, pageToken: pageToken))
            orders += page.orders
            pageToken = page.nextPageToken
        } while !pageToken.isEmpty

        var unpaid: [String: Int64] = [:]
        var confirmed: [String: Int64] = [:]
        for order in orders {
            let payments = try await paymentsOf(order.id)
            let approved = payments.filter { $0.status == .approved }
            switch order.status {
            case .pendingPayment:
                #expect(approved.isEmpty, "unpaid order \(order.id) has an approved payment", sourceLocation: sourceLocation)
                for item in order.items { unpaid[item.productId, default: 0] += item.quantity }
            case .confirmed, .shipped, .delivered:
                #expect(
                    approved.count == 1, "order \(order.id) has \(approved.count) approved payments",
                    sourceLocation: sourceLocation)
                for item in order.items { confirmed[item.productId, default: 0] += item.quantity }
            default:
                #expect(approved.isEmpty, "cancelled order \(order.id) was paid", sourceLocation: sourceLocation)
                #expect(
                    !payments.contains { $0.status == .pending }, "cancelled order \(order.id) has a pending payment",
                    sourceLocation: sourceLocation)
            }
        }
        for product in initialStock {
            let stock = try await stock(product)
            let held = unpaid[product.id, default: 0]
            let sold = confirmed[product.id, default: 0]
            #expect(
                stock + held + sold == product.stock,
                "\(product.name): stock \(stock) + unpaid \(held) + confirmed \(sold) != initial \(product.stock)",
                sourceLocation: sourceLocation)
        }
    }
}
