public import BigShopOrchestratorAPI
public import BigShopOrdersAPI
public import BigShopServiceKit
import BigShopStore
public import Logging
import PaymentRules
public import ServiceLifecycle

/// The payments service, ready to serve: the public `PaymentsService` and
/// the internal `PaymentLedger` over one database,
/// `<storage>/payments.sqlite`.
///
/// ```swift
/// let payments = try await PaymentsModule.open(
///     storage: .sqlite(directory: "/var/lib/bigshop"), clock: SystemClock(),
///     orderLedger: orderLedger, saga: sagaClient)
/// let server = RPCServer(services: [payments.paymentsService, payments.paymentLedger])
/// try await payments.run()  // in a ServiceGroup, after the services it calls
/// ```
public final class PaymentsModule: Service, Sendable {
    /// The public `bigshop.payments.v1.PaymentsService`.
    public let paymentsService: PaymentsServiceProvider
    /// The internal `bigshop.payments.v1.PaymentLedger`, for the checkout saga.
    public let paymentLedger: PaymentLedgerProvider

    private let database: Database
    private let work: ServiceWork

    private init(
        database: Database, work: ServiceWork, paymentsService: PaymentsServiceProvider,
        paymentLedger: PaymentLedgerProvider
    ) {
        self.database = database
        self.work = work
        self.paymentsService = paymentsService
        self.paymentLedger = paymentLedger
    }

    /// Opens (creating or migrating) `<storage>/payments.sqlite`.
    ///
    /// - Parameters:
    ///   - clock: the time of payments and of card expiry checks.
    ///   - settings: the Pix merchant; a key, name or city a BR Code cannot
    ///     carry throws ``PaymentRules/PixBRCodeError`` here.
    ///   - orderLedger: Orders' `OrderLedger`, for an order's owner and status.
    ///   - saga: the orchestrator's `CheckoutSaga`, for payment attempts.
    public static func open(
        storage: ShopStorage,
        clock: any ShopClock,
        settings: PaymentsSettings = PaymentsSettings(),
        orderLedger: Bigshop_Orders_V1_OrderLedger.Client,
        saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client,
        logger: Logger = Logger(label: "bigshop.payments")
    ) async throws -> PaymentsModule {
        _ = try PixBRCode(
            account: .key(settings.pixKey), amount: 1, merchantName: settings.merchantName,
            merchantCity: settings.merchantCity, txid: PixTxid.generate())
        // synchronous=FULL: an approved payment must survive a power loss.
        let database = try await ServiceDatabase.open(
            named: "payments", in: storage, migrations: PaymentsSchema.migrations,
            configuration: DatabaseConfiguration(synchronous: .full))
        let store = PaymentStore(database: database)
        let processor = PaymentProcessor(
            store: store, orderLedger: orderLedger, saga: SagaLink(saga: saga, logger: logger), clock: clock,
            settings: settings, logger: logger)
        let work = ServiceWork()
        return PaymentsModule(
            database: database, work: work,
            paymentsService: PaymentsServiceProvider(processor: processor, store: store, work: work),
            paymentLedger: PaymentLedgerProvider(store: store, clock: clock, logger: logger))
    }

    /// Serves until a graceful shutdown, then lets every payment in flight
    /// finish and closes the database.
    public func run() async {
        await work.run()
        await database.close()
    }
}
