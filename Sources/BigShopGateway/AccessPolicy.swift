public import BigRPC
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI

/// The role each public method requires. A method the policy does not name
/// is refused (PERMISSION_DENIED): exposing a method is an explicit decision.
public struct AccessPolicy: Sendable {
    private var rules: [String: Access]

    public init(_ rules: [MethodDescriptor: Access]) {
        self.rules = Dictionary(uniqueKeysWithValues: rules.map { ($0.key.path, $0.value) })
    }

    /// The access rule of `method`, or nil if it is not exposed.
    public func access(for method: MethodDescriptor) -> Access? {
        rules[method.path]
    }

    /// Adds or replaces rules.
    public mutating func merge(_ other: [MethodDescriptor: Access]) {
        for (method, access) in other { rules[method.path] = access }
    }

    /// The roles the `proto/bigshop` comments give each method.
    public static let shop = AccessPolicy([
        Bigshop_Auth_V1_AuthService.Method.register: .public,
        Bigshop_Auth_V1_AuthService.Method.login: .public,
        Bigshop_Auth_V1_AuthService.Method.logout: .authenticated,
        Bigshop_Auth_V1_AuthService.Method.whoAmI: .authenticated,
        Bigshop_Auth_V1_AuthService.Method.createAdmin: .admin,
        Bigshop_Auth_V1_AuthService.Method.createCustomers: .admin,

        Bigshop_Catalog_V1_CatalogService.Method.createProduct: .admin,
        Bigshop_Catalog_V1_CatalogService.Method.updateProduct: .admin,
        Bigshop_Catalog_V1_CatalogService.Method.deleteProduct: .admin,
        Bigshop_Catalog_V1_CatalogService.Method.getProduct: .public,
        Bigshop_Catalog_V1_CatalogService.Method.listProducts: .public,
        Bigshop_Catalog_V1_CatalogService.Method.createCategory: .admin,
        Bigshop_Catalog_V1_CatalogService.Method.updateCategory: .admin,
        Bigshop_Catalog_V1_CatalogService.Method.deleteCategory: .admin,
        Bigshop_Catalog_V1_CatalogService.Method.getCategory: .public,
        Bigshop_Catalog_V1_CatalogService.Method.listCategories: .public,

        Bigshop_Orders_V1_OrdersService.Method.getCart: .customer,
        Bigshop_Orders_V1_OrdersService.Method.setCartItem: .customer,
        Bigshop_Orders_V1_OrdersService.Method.checkout: .customer,
        Bigshop_Orders_V1_OrdersService.Method.getOrder: .customer,
        Bigshop_Orders_V1_OrdersService.Method.cancelOrder: .customer,
        Bigshop_Orders_V1_OrdersService.Method.updateOrderStatus: .admin,

        Bigshop_Payments_V1_PaymentsService.Method.pay: .customer,
        Bigshop_Payments_V1_PaymentsService.Method.getPayment: .customer,
        Bigshop_Payments_V1_PaymentsService.Method.confirmPix: .admin,

        Bigshop_History_V1_HistoryService.Method.listOrders: .customer,
        Bigshop_History_V1_HistoryService.Method.watchOrder: .customer,

        Bigshop_Flashsale_V1_FlashSaleService.Method.scheduleCampaign: .admin,
        Bigshop_Flashsale_V1_FlashSaleService.Method.getCurrentDrop: .public,
        Bigshop_Flashsale_V1_FlashSaleService.Method.reserve: .customer,
        Bigshop_Flashsale_V1_FlashSaleService.Method.listCampaigns: .public,
        Bigshop_Flashsale_V1_FlashSaleService.Method.getCampaignStats: .admin,
        Bigshop_Flashsale_V1_FlashSaleService.Method.watchDrop: .public,

        MethodDescriptor(service: "bigrpc.health.v1.Health", method: "Check", kind: .unary): .public,
        MethodDescriptor(service: "bigrpc.reflection.v1.Reflection", method: "ListServices", kind: .unary): .public,
        MethodDescriptor(service: "bigrpc.reflection.v1.Reflection", method: "FileContainingSymbol", kind: .unary): .public,
    ])
}
