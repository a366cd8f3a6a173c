import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import Testing

@Suite("Cart totals near Int64.max")
struct CartOverflowTests {
    @Test("A line or cart total beyond Int64 is refused: INVALID_ARGUMENT on quantity, never a wrapped total")
    func overflow() async throws {
        let gold = Bigshop_Catalog_V1_Product(id: "gold", name: "Gold", priceCents: Int64.max / 3)
        let silver = Bigshop_Catalog_V1_Product(id: "silver", name: "Silver", priceCents: 2)
        try await withShop(
            [.orders], clock: ManualClock(nowMs: OrdersHarness.startMs),
            assemble: {
                $0.extraServices = [FixedInventory(products: [gold, silver])]
            }
        ) { shop in
            let orders = Bigshop_Orders_V1_OrdersService.Client(wrapping: shop.client)
            let alice = TestPrincipalInterceptor.customer("alice")

            let cart = try await orders.setCartItem(.init(productId: "gold", quantity: 3), metadata: alice)
            #expect(cart.totalCents == (Int64.max / 3) * 3)
            for request in [Bigshop_Orders_V1_SetCartItemRequest(productId: "silver", quantity: 1), .init(productId: "gold", quantity: 4)] {
                let error = await rpcError { _ = try await orders.setCartItem(request, metadata: alice) }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.contains("quantity") == true)
            }
            #expect(try await orders.getCart(.init(), metadata: alice) == cart)
        }
    }
}
