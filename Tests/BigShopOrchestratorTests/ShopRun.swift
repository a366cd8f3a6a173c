import BigRPC
import BigShopCatalogAPI
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServer
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport

@testable import BigShopOrchestrator

/// One life of the shop's process: the real catalog, orders, orchestrator
/// and payments of a ``TestShop`` over the files of a directory, with a
/// recording hold ledger. The calls between services pass a
/// ``FaultInjector``; the test's own calls do not.
final class ShopRun: Sendable {
    let shop: TestShop
    let faults: FaultInjector
    var orchestrator: OrchestratorModule { shop.shop.orchestrator! }

    let catalog: Bigshop_Catalog_V1_CatalogService.Client
    let inventory: Bigshop_Catalog_V1_InventoryService.Client
    let orders: Bigshop_Orders_V1_OrdersService.Client
    let ledger: Bigshop_Orders_V1_OrderLedger.Client
    let saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client
    let payments: Bigshop_Payments_V1_PaymentsService.Client
    let paymentLedger: Bigshop_Payments_V1_PaymentLedger.Client

    /// Opens every service over `directory`, recovers the sagas, and runs
    /// them.
    init(
        directory: String,
        clock: ManualClock,
        settings: OrchestratorSettings,
        holds: RecordingHoldLedger,
        logs: LogRecorder
    ) async throws {
        let faults = FaultInjector()
        var client: RPCClient?
        shop = try await TestShop.start(
            dataDirectory: directory, clock: clock,
            assemble: {
                $0.parts = [.catalog, .orders, .orchestrator, .payments]
                $0.orchestrator = settings
                $0.clientInterceptors = [faults]
                $0.serverInterceptors = [TestPrincipalInterceptor()]
                $0.extraServices = [holds]
                $0.logger = { logs.logger($0) }
                client = RPCClient(transport: $0.transport)
            })
        self.faults = faults
        catalog = .init(wrapping: client!)
        inventory = .init(wrapping: client!)
        orders = .init(wrapping: client!)
        ledger = .init(wrapping: client!)
        saga = .init(wrapping: client!)
        payments = .init(wrapping: client!)
        paymentLedger = .init(wrapping: client!)
    }

    /// Ends this life as a crash would: every flow stops where it is (hanging
    /// calls included) and the databases keep what was committed.
    func stop() async {
        await shop.kill()
        faults.abortHangs()
    }
}
