import BigRPC
import BigShopCatalogAPI
import BigShopHistoryAPI
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import Testing

/// Checkout and CancelOrder through the real checkout saga, stock and all:
/// the delegation end to end.
@Suite("Checkout and CancelOrder with the real saga")
struct RealSagaTests {
    static let alice = TestPrincipalInterceptor.customer("alice")

    /// Catalog, orders, orchestrator, payments and history in one in-process
    /// server over a temporary directory.
    struct Shop: Sendable {
        let clock: ManualClock
        let catalog: Bigshop_Catalog_V1_CatalogService.Client
        let orders: Bigshop_Orders_V1_OrdersService.Client
        let history: Bigshop_History_V1_HistoryService.Client

        static func with(_ body: (Shop) async throws -> Void) async throws {
            let clock = ManualClock(nowMs: OrdersHarness.startMs)
            try await withShop([.catalog, .orders, .orchestrator, .payments, .history], clock: clock) { shop in
                try await body(
                    Shop(
                        clock: clock, catalog: .init(wrapping: shop.client), orders: .init(wrapping: shop.client),
                        history: .init(wrapping: shop.client)))
            }
        }

        func product(_ name: String, priceCents: Int64, stock: Int64) async throws -> Bigshop_Catalog_V1_Product {
            try await catalog.createProduct(
                .init(sku: "SKU-\(name)", name: name, priceCents: priceCents, stock: stock, category: "test"),
                metadata: TestPrincipalInterceptor.admin())
        }

        func stock(of product: Bigshop_Catalog_V1_Product) async throws -> Int64 {
            try await catalog.getProduct(.init(id: product.id)).stock
        }
    }

    @Test("Checkout reserves the stock, freezes prices, empties the cart; CancelOrder returns the stock")
    func checkoutThenCancel() async throws {
        try await Shop.with { shop in
            let phone = try await shop.product("Phone", priceCents: 199_900, stock: 5)
            let cable = try await shop.product("Cable", priceCents: 4_990, stock: 10)
            _ = try await shop.orders.setCartItem(.init(productId: phone.id, quantity: 1), metadata: Self.alice)
            _ = try await shop.orders.setCartItem(.init(productId: cable.id, quantity: 3), metadata: Self.alice)
            var metadata = Self.alice
            metadata["idempotency-key"] = "real-checkout-1"
            let order = try await shop.orders.checkout(.init(), metadata: metadata)
            #expect(order.status == .pendingPayment)
            #expect(order.userId == "alice")
            #expect(order.totalCents == 199_900 + 3 * 4_990)
            #expect(order.paymentDueAtMs > OrdersHarness.startMs)
            #expect(try await shop.orders.checkout(.init(), metadata: metadata) == order)
            #expect(try await shop.orders.getCart(.init(), metadata: Self.alice) == .init())
            #expect(try await shop.stock(of: phone) == 4)
            #expect(try await shop.stock(of: cable) == 7)

            await expectRPCError(.notFound) {
                _ = try await shop.orders.cancelOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.customer("bob"))
            }
            let cancelled = try await shop.orders.cancelOrder(.init(id: order.id), metadata: Self.alice)
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.statusReason == "CANCELLED_BY_CUSTOMER")
            #expect(try await shop.stock(of: phone) == 5)
            #expect(try await shop.stock(of: cable) == 10)
            await expectRPCError(.failedPrecondition, reason: "NOT_CANCELLABLE") {
                _ = try await shop.orders.cancelOrder(.init(id: order.id), metadata: Self.alice)
            }

            let statuses = try await shop.history.watchOrder(.init(orderId: order.id), metadata: Self.alice) { stream in
                var statuses: [Bigshop_Orders_V1_OrderStatus] = []
                for try await event in stream { statuses.append(event.status) }
                return statuses
            }
            #expect(statuses == [.pendingPayment, .cancelled])
        }
    }

    @Test("The saga's refusals reach the customer unchanged: EMPTY_CART, OUT_OF_STOCK taking nothing")
    func refusals() async throws {
        try await Shop.with { shop in
            await expectRPCError(.failedPrecondition, reason: "EMPTY_CART") {
                _ = try await shop.orders.checkout(.init(), metadata: Self.alice)
            }
            let phone = try await shop.product("Phone", priceCents: 199_900, stock: 1)
            let cable = try await shop.product("Cable", priceCents: 4_990, stock: 10)
            _ = try await shop.orders.setCartItem(.init(productId: cable.id, quantity: 2), metadata: Self.alice)
            _ = try await shop.orders.setCartItem(.init(productId: phone.id, quantity: 2), metadata: Self.alice)
            await expectRPCError(.failedPrecondition, reason: "OUT_OF_STOCK") {
                _ = try await shop.orders.checkout(.init(), metadata: Self.alice)
            }
            #expect(try await shop.stock(of: phone) == 1)
            #expect(try await shop.stock(of: cable) == 10)
            #expect(try await shop.orders.getCart(.init(), metadata: Self.alice).items.count == 2)
        }
    }
}
