import BigShopTestSupport
import BigRPC
import BigShopCatalog
import BigShopCatalogAPI
import BigShopFlashSaleAPI
@testable import BigShopOrchestrator
import BigShopOrchestratorAPI
import BigShopOrders
import BigShopOrdersAPI
import BigShopPayments
import BigShopPaymentsAPI
import BigShopServiceKit

/// One life of the shop's process: the real catalog, orders, orchestrator
/// and payments over the files of a directory, in one in-process server, with
/// the expiry scanner running. The orchestrator's calls, and payments' calls
/// to the saga, pass a ``FaultInjector``.
final class ShopRun: Sendable {
    let catalogModule: CatalogModule
    let ordersModule: OrdersModule
    let orchestrator: OrchestratorModule
    let paymentsModule: PaymentsModule
    let faults: FaultInjector
    private let scanner: Task<Void, Never>

    let catalog: Bigshop_Catalog_V1_CatalogService.Client
    let inventory: Bigshop_Catalog_V1_InventoryService.Client
    let orders: Bigshop_Orders_V1_OrdersService.Client
    let ledger: Bigshop_Orders_V1_OrderLedger.Client
    let saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client
    let payments: Bigshop_Payments_V1_PaymentsService.Client
    let paymentLedger: Bigshop_Payments_V1_PaymentLedger.Client

    private init(
        catalogModule: CatalogModule, ordersModule: OrdersModule, orchestrator: OrchestratorModule,
        paymentsModule: PaymentsModule, faults: FaultInjector, client: RPCClient
    ) {
        self.catalogModule = catalogModule
        self.ordersModule = ordersModule
        self.orchestrator = orchestrator
        self.paymentsModule = paymentsModule
        self.faults = faults
        self.scanner = Task { await orchestrator.runExpiryScanner() }
        catalog = Bigshop_Catalog_V1_CatalogService.Client(wrapping: client)
        inventory = Bigshop_Catalog_V1_InventoryService.Client(wrapping: client)
        orders = Bigshop_Orders_V1_OrdersService.Client(wrapping: client)
        ledger = Bigshop_Orders_V1_OrderLedger.Client(wrapping: client)
        saga = Bigshop_Orchestrator_V1_CheckoutSaga.Client(wrapping: client)
        payments = Bigshop_Payments_V1_PaymentsService.Client(wrapping: client)
        paymentLedger = Bigshop_Payments_V1_PaymentLedger.Client(wrapping: client)
    }

    /// Opens every module over `directory`, recovers the sagas, starts the
    /// expiry scanner.
    static func start(
        directory: String,
        clock: ManualClock,
        settings: OrchestratorSettings,
        holds: RecordingHoldLedger,
        logs: LogRecorder
    ) async throws -> ShopRun {
        let transport = LateBoundTransport()
        let faults = FaultInjector()
        let client = RPCClient(transport: transport)
        let faulty = RPCClient(transport: transport, interceptors: [faults])
        let catalogModule = try await CatalogModule.open(
            dataDirectory: directory, clock: clock, logger: logs.logger("catalog"))
        let ordersModule = try await OrdersModule.open(
            dataDirectory: directory, clock: clock,
            inventory: Bigshop_Catalog_V1_InventoryService.Client(wrapping: client),
            saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client(wrapping: client),
            logger: logs.logger("orders"))
        let orchestrator = try await OrchestratorModule.open(
            dataDirectory: directory, clock: clock, settings: settings,
            orderLedger: Bigshop_Orders_V1_OrderLedger.Client(wrapping: faulty),
            inventory: Bigshop_Catalog_V1_InventoryService.Client(wrapping: faulty),
            payments: Bigshop_Payments_V1_PaymentLedger.Client(wrapping: faulty),
            holds: Bigshop_Flashsale_V1_HoldLedger.Client(wrapping: faulty),
            logger: logs.logger("orchestrator"))
        let paymentsModule = try await PaymentsModule.open(
            dataDirectory: directory, clock: clock,
            orderLedger: Bigshop_Orders_V1_OrderLedger.Client(wrapping: client),
            saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client(wrapping: faulty),
            logger: logs.logger("payments"))
        transport.bind(to: RPCServer(
            services: [
                catalogModule.catalogService, catalogModule.inventoryService,
                ordersModule.ordersService, ordersModule.orderLedger,
                orchestrator.sagaService,
                paymentsModule.paymentsService, paymentsModule.paymentLedger,
                holds,
            ],
            interceptors: [TestPrincipalInterceptor()],
            logger: logs.logger("server")))
        try await orchestrator.recover()
        return ShopRun(
            catalogModule: catalogModule, ordersModule: ordersModule, orchestrator: orchestrator,
            paymentsModule: paymentsModule, faults: faults, client: client)
    }

    /// Ends this life as a crash would: every flow stops where it is (hanging
    /// calls included) and the databases keep what was committed.
    func stop() async {
        scanner.cancel()
        await scanner.value
        await orchestrator.close()
        faults.abortHangs()
        await paymentsModule.close()
        await ordersModule.close()
        await catalogModule.close()
    }
}
