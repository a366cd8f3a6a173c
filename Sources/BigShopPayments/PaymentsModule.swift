public import BigShopOrchestratorAPI
public import BigShopOrdersAPI
public import BigShopServiceKit
import BigShopStore
public import Logging
import PaymentRules

/// The payments service, ready to serve: the public `PaymentsService` and
/// the internal `PaymentLedger` over one database,
/// `<dataDirectory>/payments.sqlite`.
///
/// ```swift
/// let payments = try await PaymentsModule.open(
///     dataDirectory: "/var/lib/bigshop", clock: SystemClock(),
///     orderLedger: orderLedger, saga: sagaClient)
/// let server = RPCServer(services: [payments.paymentsService, payments.paymentLedger])
/// ...
/// await payments.close()
/// ```
public final class PaymentsModule: Sendable {
    /// The public `bigshop.payments.v1.PaymentsService`.
    public let paymentsService: PaymentsServiceProvider
    /// The internal `bigshop.payments.v1.PaymentLedger`, for the checkout saga.
    public let paymentLedger: PaymentLedgerProvider

    private let database: Database

    private init(database: Database, paymentsService: PaymentsServiceProvider, paymentLedger: PaymentLedgerProvider) {
        self.database = database
        self.paymentsService = paymentsService
        self.paymentLedger = paymentLedger
    }

    /// Opens (creating or migrating) `<dataDirectory>/payments.sqlite`.
    ///
    /// - Parameters:
    ///   - clock: the time of payments and of card expiry checks.
    ///   - settings: the Pix merchant; a key, name or city a BR Code cannot
    ///     carry throws ``PaymentRules/PixBRCodeError`` here.
    ///   - orderLedger: Orders' `OrderLedger`, for an order's owner and status.
    ///   - saga: the orchestrator's `CheckoutSaga`, for payment attempts.
    public static func open(
        dataDirectory: String,
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
            named: "payments", in: dataDirectory, migrations: PaymentStore.migrations,
            configuration: DatabaseConfiguration(synchronous: .full))
        let store = PaymentStore(database: database)
        let processor = PaymentProcessor(
            store: store, orderLedger: orderLedger, saga: SagaLink(saga: saga, logger: logger), clock: clock,
            settings: settings, logger: logger)
        return PaymentsModule(
            database: database,
            paymentsService: PaymentsServiceProvider(processor: processor, store: store),
            paymentLedger: PaymentLedgerProvider(store: store, clock: clock, logger: logger))
    }

    /// Finishes queued database work and closes the database. Payments still
    /// in flight then fail as in a crash; the orchestrator's recovery ends
    /// their attempts.
    public func close() async {
        await database.close()
    }
}
