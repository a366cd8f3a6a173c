import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopPayments
import BigShopPaymentsAPI
import BigShopServer
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import Foundation

/// Payments with the real catalog, orders and orchestrator of a
/// ``TestShop`` over SQLite files in a temporary directory, with a manual
/// clock and every log line kept. Callers act through generated clients,
/// naming themselves with ``TestPrincipalInterceptor`` metadata.
final class PaymentsHarness: Sendable {
    /// 2026-03-01 15:00 UTC.
    static let startMs: Int64 = 1_772_377_200_000

    let shop: TestShop
    let clock: ManualClock
    let logs: LogRecorder
    let settings: PaymentsSettings
    var directory: String { shop.dataDirectory }

    let catalog: Bigshop_Catalog_V1_CatalogService.Client
    let orders: Bigshop_Orders_V1_OrdersService.Client
    let ledger: Bigshop_Orders_V1_OrderLedger.Client
    let payments: Bigshop_Payments_V1_PaymentsService.Client
    let paymentLedger: Bigshop_Payments_V1_PaymentLedger.Client

    private init(shop: TestShop, clock: ManualClock, logs: LogRecorder, settings: PaymentsSettings) {
        self.shop = shop
        self.clock = clock
        self.logs = logs
        self.settings = settings
        catalog = .init(wrapping: shop.client)
        orders = .init(wrapping: shop.client)
        ledger = .init(wrapping: shop.client)
        payments = .init(wrapping: shop.client)
        paymentLedger = .init(wrapping: shop.client)
    }

    /// Runs `body` with a shop over a fresh directory, removed afterwards.
    static func with<T: Sendable>(
        settings: PaymentsSettings = PaymentsSettings(),
        _ body: (PaymentsHarness) async throws -> T
    ) async throws -> T {
        let clock = ManualClock(nowMs: startMs)
        let logs = LogRecorder()
        return try await withShop(
            [.catalog, .orders, .orchestrator, .payments], clock: clock,
            assemble: {
                $0.payments = settings
                $0.logger = { logs.logger($0) }
            }
        ) { shop in
            try await body(PaymentsHarness(shop: shop, clock: clock, logs: logs, settings: settings))
        }
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
