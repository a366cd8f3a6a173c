import BigRPC
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopHistoryAPI
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI

/// A public service of a part, as a gateway forwards it: its methods and
/// the descriptors reflection serves for it.
struct PublicServiceShape: Sendable {
    var methods: [MethodDescriptor]
    var fileDescriptorProtos: [[UInt8]]
}

extension ShopAssembly.Part {
    /// The fully qualified names of the part's services, public and internal:
    /// what another process routes to this part's peers.
    public var serviceNames: [String] {
        switch self {
        case .auth: [Bigshop_Auth_V1_AuthService.serviceName, Bigshop_Auth_V1_SessionVerifier.serviceName]
        case .catalog: [Bigshop_Catalog_V1_CatalogService.serviceName, Bigshop_Catalog_V1_InventoryService.serviceName]
        case .orders: [Bigshop_Orders_V1_OrdersService.serviceName, Bigshop_Orders_V1_OrderLedger.serviceName]
        case .payments: [Bigshop_Payments_V1_PaymentsService.serviceName, Bigshop_Payments_V1_PaymentLedger.serviceName]
        case .history: [Bigshop_History_V1_HistoryService.serviceName]
        case .orchestrator: [Bigshop_Orchestrator_V1_CheckoutSaga.serviceName]
        case .flashsale: [Bigshop_Flashsale_V1_FlashSaleService.serviceName, Bigshop_Flashsale_V1_HoldLedger.serviceName]
        }
    }

    /// The service whose health says whether the part serves.
    var healthService: String { serviceNames[0] }

    /// The public service, if the part has one.
    var publicService: PublicServiceShape? {
        switch self {
        case .auth:
            PublicServiceShape(methods: Bigshop_Auth_V1_AuthService.Method.all, fileDescriptorProtos: Bigshop_Auth_V1_AuthService.fileDescriptorProtos)
        case .catalog:
            PublicServiceShape(
                methods: Bigshop_Catalog_V1_CatalogService.Method.all, fileDescriptorProtos: Bigshop_Catalog_V1_CatalogService.fileDescriptorProtos)
        case .orders:
            PublicServiceShape(
                methods: Bigshop_Orders_V1_OrdersService.Method.all, fileDescriptorProtos: Bigshop_Orders_V1_OrdersService.fileDescriptorProtos)
        case .payments:
            PublicServiceShape(
                methods: Bigshop_Payments_V1_PaymentsService.Method.all, fileDescriptorProtos: Bigshop_Payments_V1_PaymentsService.fileDescriptorProtos)
        case .history:
            PublicServiceShape(
                methods: Bigshop_History_V1_HistoryService.Method.all, fileDescriptorProtos: Bigshop_History_V1_HistoryService.fileDescriptorProtos)
        case .flashsale:
            PublicServiceShape(
                methods: Bigshop_Flashsale_V1_FlashSaleService.Method.all,
                fileDescriptorProtos: Bigshop_Flashsale_V1_FlashSaleService.fileDescriptorProtos)
        case .orchestrator:
            nil
        }
    }

    /// The parts whose services this part calls.
    public var dependencies: Set<Self> {
        switch self {
        case .auth, .catalog: []
        case .orders: [.catalog, .orchestrator]
        case .payments: [.orders, .orchestrator]
        case .history: [.orders]
        case .orchestrator: [.orders, .catalog, .payments, .flashsale]
        case .flashsale: [.catalog, .orchestrator]
        }
    }

    /// The parts a gateway calls: every one with a public service.
    static let publicParts: Set<Self> = Set(allCases.filter { $0.publicService != nil })
}
