import BigShopTestSupport
import BigRPC
import BigShopCatalog
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopOrchestrator
import BigShopOrchestratorAPI
import BigShopOrders
import BigShopOrdersAPI
import BigShopPayments
import BigShopPaymentsAPI
import BigShopServiceKit
import Foundation

/// Payments with the real catalog, orders and orchestrator in one
/// in-process server, over SQLite files in a temporary directory, with a
/// manual clock and every log line kept. Callers act through generated
/// clients, naming themselves with ``TestPrincipalInterceptor`` metadata.
final class PaymentsHarness: Sendable {
    /// 2026-03-01 15:00 UTC.
    static let startMs: Int64 = 1_772_377_200_000

    let directory: String
    let clock: ManualClock
    let logs: LogRecorder
    let settings: PaymentsSettings
    private let catalogModule: CatalogModule
    private let ordersModule: OrdersModule
    private let orchestrator: OrchestratorModule
    private let paymentsModule: PaymentsModule

    let catalog: Bigshop_Catalog_V1_CatalogService.Client
    let orders: Bigshop_Orders_V1_OrdersService.Client
    let ledger: Bigshop_Orders_V1_OrderLedger.Client
    let payments: Bigshop_Payments_V1_PaymentsService.Client
    let paymentLedger: Bigshop_Payments_V1_PaymentLedger.Client

    private init(
        directory: String, clock: ManualClock, logs: LogRecorder, settings: PaymentsSettings,
        catalogModule: CatalogModule, ordersModule: OrdersModule, orchestrator: OrchestratorModule,
        paymentsModule: PaymentsModule, client: RPCClient
    ) {
        self.directory = directory
        self.clock = clock
        self.logs = logs
        self.settings = settings
        self.catalogModule = catalogModule
        self.ordersModule = ordersModule
        self.orchestrator = orchestrator
        self.paymentsModule = paymentsModule
        catalog = Bigshop_Catalog_V1_CatalogService.Client(wrapping: client)
        orders = Bigshop_Orders_V1_OrdersService.Client(wrapping: client)
        ledger = Bigshop_Orders_V1_OrderLedger.Client(wrapping: client)
        payments = Bigshop_Payments_V1_PaymentsService.Client(wrapping: client)
        paymentLedger = Bigshop_Payments_V1_PaymentLedger.Client(wrapping: client)
    }

    /// Runs `body` with a shop over a fresh directory, removed afterwards.
    static func with<T: Sendable>(
        settings: PaymentsSettings = PaymentsSettings(),
        _ body: (PaymentsHarness) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bigshop-payments-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
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

    private static func open(directory: String, settings: PaymentsSettings) async throws -> PaymentsHarness {
        let clock = ManualClock(nowMs: startMs)
        let logs = LogRecorder()
        let transport = LateBoundTransport()
        let client = RPCClient(transport: transport)
        let catalogModule = try await CatalogModule.open(
            dataDirectory: directory, clock: clock, logger: logs.logger("catalog"))
        let ordersModule = try await OrdersModule.open(
            dataDirectory: directory, clock: clock,
            inventory: Bigshop_Catalog_V1_InventoryService.Client(wrapping: client),
            saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client(wrapping: client),
            logger: logs.logger("orders"))
        let orchestrator = try await OrchestratorModule.open(
            dataDirectory: directory, clock: clock,
            orderLedger: Bigshop_Orders_V1_OrderLedger.Client(wrapping: client),
            inventory: Bigshop_Catalog_V1_InventoryService.Client(wrapping: client),
            payments: Bigshop_Payments_V1_PaymentLedger.Client(wrapping: client),
            holds: Bigshop_Flashsale_V1_HoldLedger.Client(wrapping: client),
            logger: logs.logger("orchestrator"))
        let paymentsModule = try await PaymentsModule.open(
            dataDirectory: directory, clock: clock, settings: settings,
            orderLedger: Bigshop_Orders_V1_OrderLedger.Client(wrapping: client),
            saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client(wrapping: client),
            logger: logs.logger("payments"))
        transport.bind(to: RPCServer(
            services: [
                catalogModule.catalogService, catalogModule.inventoryService,
                ordersModule.ordersService, ordersModule.orderLedger,
                orchestrator.sagaService,
                paymentsModule.paymentsService, paymentsModule.paymentLedger,
            ],
            interceptors: [TestPrincipalInterceptor()],
            logger: logs.logger("server")))
        try await orchestrator.recover()
        return PaymentsHarness(
            directory: directory, clock: clock, logs: logs, settings: settings, catalogModule: catalogModule,
            ordersModule: ordersModule, orchestrator: orchestrator, paymentsModule: paymentsModule, client: client)
    }

    private func close() async {
        await orchestrator.close()
        await paymentsModule.close()
        await ordersModule.close()
        await catalogModule.close()
    }

    // MARK: Shortcuts

    /// Checks out `user`'s cart of `quantity` units of a new product at
    /// `priceCents` each.
    func order(
        for user: String,
        priceCents: Int64 = 48_000,
        quantity: Int64 = 1
    ) async throws -> Bigshop_Orders_V1_Order {
        let product = try await catalog.createProduct(
            Bigshop_Catalog_V1_CreateProductRequest(
                sku: "SKU-\(UUID().uuidString.prefix(12))", name: "Television", description: "",
                priceCents: priceCents, stock: 100, category: "test"),
            metadata: TestPrincipalInterceptor.admin())
        _ = try await orders.setCartItem(
            Bigshop_Orders_V1_SetCartItemRequest(productId: product.id, quantity: quantity),
            metadata: TestPrincipalInterceptor.customer(user))
        return try await orders.checkout(Bigshop_Orders_V1_CheckoutRequest(), metadata: TestPrincipalInterceptor.customer(user))
    }

    /// `user` pays `orderID` with `method`.
    func pay(
        _ user: String,
        _ orderID: String,
        _ method: Bigshop_Payments_V1_PayRequest.OneOf_Method?,
        idempotencyKey: String? = nil
    ) async throws -> Bigshop_Payments_V1_Payment {
        var metadata = TestPrincipalInterceptor.customer(user)
        if let idempotencyKey { metadata[Metadata.idempotencyKey] = idempotencyKey }
        return try await payments.pay(Bigshop_Payments_V1_PayRequest(orderId: orderID, method: method), metadata: metadata)
    }

    /// `user` pays `orderID` by card.
    func payByCard(
        _ user: String,
        _ orderID: String,
        _ card: Bigshop_Payments_V1_CardMethod = TestCards.card(TestCards.approved),
        idempotencyKey: String? = nil
    ) async throws -> Bigshop_Payments_V1_Payment {
        try await pay(user, orderID, .card(card), idempotencyKey: idempotencyKey)
    }

    /// `user` starts a Pix payment of `orderID`.
    func payByPix(_ user: String, _ orderID: String, idempotencyKey: String? = nil) async throws -> Bigshop_Payments_V1_Payment {
        try await pay(user, orderID, .pix(Bigshop_Payments_V1_PixMethod()), idempotencyKey: idempotencyKey)
    }

    /// An admin confirms the Pix transaction `txid`.
    func confirmPix(_ txid: String) async throws -> Bigshop_Payments_V1_Payment {
        try await payments.confirmPix(Bigshop_Payments_V1_ConfirmPixRequest(txid: txid), metadata: TestPrincipalInterceptor.admin())
    }

    /// The order's status now.
    func status(of orderID: String) async throws -> Bigshop_Orders_V1_OrderStatus {
        try await ledger.lookupOrder(Bigshop_Orders_V1_LookupOrderRequest(orderId: orderID)).status
    }

    /// Every payment of the order, oldest first.
    func paymentsOf(_ orderID: String) async throws -> [Bigshop_Payments_V1_Payment] {
        try await paymentLedger.listPaymentsOf(Bigshop_Payments_V1_ListPaymentsOfRequest(orderId: orderID)).payments
    }
}
