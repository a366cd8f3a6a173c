public import BigShopCatalogAPI
public import BigShopFlashSaleAPI
public import BigShopOrdersAPI
public import BigShopPaymentsAPI
public import BigShopServiceKit
import BigShopStore
public import Logging
public import ServiceLifecycle

/// The orchestrator, ready to serve: the internal `CheckoutSaga` over its
/// saga log, `<storage>/orchestrator.sqlite`.
///
/// ```swift
/// let orchestrator = try await OrchestratorModule.open(
///     storage: .sqlite(directory: "/var/lib/bigshop"), clock: SystemClock(),
///     orderLedger: orderLedger, inventory: inventory, payments: paymentLedger, holds: holdLedger)
/// // once the services it calls answer, and before serving:
/// try await orchestrator.recover()
/// // in a ServiceGroup, after the services it calls:
/// try await orchestrator.run()
/// ```
public final class OrchestratorModule: Service, Sendable {
    /// The internal `bigshop.orchestrator.v1.CheckoutSaga`.
    public let sagaService: CheckoutSagaProvider

    let coordinator: SagaCoordinator
    private let database: Database

    private init(coordinator: SagaCoordinator, database: Database) {
        self.coordinator = coordinator
        self.database = database
        self.sagaService = CheckoutSagaProvider(coordinator: coordinator)
    }

    /// Opens (creating or migrating) `<storage>/orchestrator.sqlite`.
    ///
    /// - Parameters:
    ///   - clock: the time of payment windows and the expiry scanner.
    ///   - orderLedger: Orders' `OrderLedger`: carts and orders.
    ///   - inventory: the catalog's `InventoryService`: cart stock.
    ///   - payments: Payments' `PaymentLedger`: closing and auditing payments.
    ///   - holds: the flash sale's `HoldLedger`: flash-sale units.
    public static func open(
        storage: ShopStorage,
        clock: any ShopClock,
        settings: OrchestratorSettings = OrchestratorSettings(),
        orderLedger: Bigshop_Orders_V1_OrderLedger.Client,
        inventory: Bigshop_Catalog_V1_InventoryService.Client,
        payments: Bigshop_Payments_V1_PaymentLedger.Client,
        holds: Bigshop_Flashsale_V1_HoldLedger.Client,
        logger: Logger = Logger(label: "bigshop.orchestrator")
    ) async throws -> OrchestratorModule {
        // synchronous=FULL: the saga log decides every flow after a restart;
        // losing its last transitions to a power loss would break the
        // invariants between payments, orders and stock.
        let database = try await ServiceDatabase.open(
            named: "orchestrator", in: storage, migrations: SagaSchema.migrations,
            configuration: DatabaseConfiguration(synchronous: .full))
        let steps = SagaSteps(
            orderLedger: orderLedger, inventory: inventory, payments: payments, holds: holds,
            runner: StepRunner(retry: settings.stepRetry, logger: logger))
        let coordinator = SagaCoordinator(
            store: SagaStore(database: database), steps: steps, clock: clock, settings: settings, logger: logger)
        return OrchestratorModule(coordinator: coordinator, database: database)
    }

    /// Resumes or compensates every saga a previous run left between steps
    /// (see `docs/CHECKOUT.md`): once the services it calls answer, and
    /// before serving. Sagas awaiting payment are left to the expiry
    /// scanner. Returns how many sagas it found.
    @discardableResult
    public func recover() async throws -> Int {
        try await coordinator.recover()
    }

    /// Runs the flows and the expiry scanner (which cancels every order
    /// whose payment window closes unpaid, with reason `PAYMENT_EXPIRED`)
    /// until a graceful shutdown; then stops the flows still running (as a
    /// crash would: the next ``recover()`` resumes them) and closes the
    /// database.
    public func run() async {
        let coordinator = self.coordinator
        await coordinator.work.run(loops: [{ await coordinator.runExpiryScanner() }])
        await database.close()
    }
}
