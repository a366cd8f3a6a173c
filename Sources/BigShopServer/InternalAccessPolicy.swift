public import BigRPC
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopHistoryAPI
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI

/// Which BigShop service may call which service on an internal port, by the
/// names in the callers' certificates (`spiffe://bigshop/<name>`). A service
/// the policy does not name is refused; Health and Reflection are open to
/// every BigShop service (balancers check health).
public struct InternalAccessPolicy: Sendable {
    /// The callers allowed for each service, by fully qualified name.
    public var callers: [String: Set<String>]
    /// Who may forward a principal (`x-bigshop-principal`) to each service besides the
    /// gateway: a replica forwarding to the replica that holds a singleton role.
    public var principalForwarders: [String: Set<String>]

    public init(callers: [String: Set<String>], principalForwarders: [String: Set<String>] = [:]) {
        self.callers = callers
        self.principalForwarders = principalForwarders
    }

    /// Whether a peer named `names` may forward a principal to `method`.
    public func allowsForwardingPrincipal(_ names: Set<String>, _ method: MethodDescriptor) -> Bool {
        !(principalForwarders[method.service] ?? []).isDisjoint(with: names)
    }

    /// Whether a peer named `names` may call `method`.
    public func allows(_ names: Set<String>, _ method: MethodDescriptor) -> Bool {
        if Self.openToEveryService.contains(method.service) { return !names.isEmpty }
        return !(callers[method.service] ?? []).isDisjoint(with: names)
    }

    static let openToEveryService: Set<String> = ["bigrpc.health.v1.Health", "bigrpc.reflection.v1.Reflection"]

    /// The shop's call graph: the gateway calls the public services and the
    /// session verifier; each internal service only by those that use it.
    public static let shop = InternalAccessPolicy(
        callers: [
            Bigshop_Auth_V1_AuthService.serviceName: ["gateway"],
            Bigshop_Catalog_V1_CatalogService.serviceName: ["gateway"],
            Bigshop_Orders_V1_OrdersService.serviceName: ["gateway"],
            Bigshop_Payments_V1_PaymentsService.serviceName: ["gateway"],
            Bigshop_History_V1_HistoryService.serviceName: ["gateway"],
            // A flash-sale standby forwards the owner's calls (FlashSaleModule).
            Bigshop_Flashsale_V1_FlashSaleService.serviceName: ["gateway", "flashsale"],
            Bigshop_Auth_V1_SessionVerifier.serviceName: ["gateway"],
            Bigshop_Catalog_V1_InventoryService.serviceName: ["orders", "flashsale", "orchestrator"],
            Bigshop_Orders_V1_OrderLedger.serviceName: ["orchestrator", "payments", "history"],
            Bigshop_Payments_V1_PaymentLedger.serviceName: ["orchestrator"],
            Bigshop_Orchestrator_V1_CheckoutSaga.serviceName: ["orders", "payments", "flashsale"],
            Bigshop_Flashsale_V1_HoldLedger.serviceName: ["orchestrator", "flashsale"],
        ],
        principalForwarders: [
            Bigshop_Flashsale_V1_FlashSaleService.serviceName: ["flashsale"]
        ])
}
