import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopTestSupport
import Testing

@Suite("Cart")
struct CartTests {
    static let alice = TestPrincipalInterceptor.customer("alice")

    @Test("SetCartItem adds, changes and (with 0) removes lines; GetCart prices them at current prices")
    func setAndGet() async throws {
        try await OrdersHarness.with { shop in
            let mug = try await shop.product("Mug", priceCents: 2_990)
            let tee = try await shop.product("Tee", priceCents: 4_500, stock: 0)
            #expect(try await shop.orders.getCart(.init(), metadata: Self.alice) == .init())

            var cart = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: 2), metadata: Self.alice)
            #expect(cart.items == [.init(productId: mug.id, name: "Mug", quantity: 2, unitPriceCents: 2_990)])
            #expect(cart.totalCents == 5_980)

            // No stock check: a product with none still goes in the cart.
            cart = try await shop.orders.setCartItem(.init(productId: tee.id, quantity: 3), metadata: Self.alice)
            #expect(cart.items.map(\.productId) == [mug.id, tee.id])
            #expect(cart.totalCents == 5_980 + 13_500)

            cart = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: 1), metadata: Self.alice)
            #expect(cart.items.map(\.quantity) == [1, 3])
            #expect(cart.totalCents == 2_990 + 13_500)

            var price = Bigshop_Catalog_V1_Product()
            price.id = tee.id
            price.priceCents = 4_000
            _ = try await shop.catalog.updateProduct(
                .init(product: price, updateMask: .init(paths: ["price_cents"])), metadata: TestPrincipalInterceptor.admin())
            cart = try await shop.orders.getCart(.init(), metadata: Self.alice)
            #expect(cart.items.map(\.unitPriceCents) == [2_990, 4_000])
            #expect(cart.totalCents == 2_990 + 12_000)
            #expect(try await shop.ledger.getCartOf(.init(userId: "alice")) == cart)

            cart = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: 0), metadata: Self.alice)
            #expect(cart.items.map(\.productId) == [tee.id])
            cart = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: 0), metadata: Self.alice)
            #expect(cart.items.map(\.productId) == [tee.id])

            #expect(try await shop.orders.getCart(.init(), metadata: TestPrincipalInterceptor.customer("bob")) == .init())
        }
    }

    @Test("Bad quantities and products are INVALID_ARGUMENT naming the field")
    func validation() async throws {
        try await OrdersHarness.with { shop in
            let mug = try await shop.product("Mug", priceCents: 2_990)
            let gone = try await shop.product("Gone", priceCents: 100)
            _ = try await shop.catalog.deleteProduct(.init(id: gone.id), metadata: TestPrincipalInterceptor.admin())
            let cases: [(Bigshop_Orders_V1_SetCartItemRequest, String)] = [
                (.init(productId: mug.id, quantity: -1), "quantity"),
                (.init(productId: mug.id, quantity: 1_001), "quantity"),
                (.init(productId: "", quantity: 1), "product_id"),
                (.init(productId: "prod_unknown", quantity: 1), "product_id"),
                (.init(productId: gone.id, quantity: 1), "product_id"),
            ]
            for (request, field) in cases {
                let error = await rpcError { _ = try await shop.orders.setCartItem(request, metadata: Self.alice) }
                #expect(error?.code == .invalidArgument, "\(request)")
                #expect(error?.message.contains(field) == true, "\(error?.message ?? "")")
            }
            #expect(try await shop.orders.getCart(.init(), metadata: Self.alice) == .init())
            await expectRPCError(.unauthenticated) { _ = try await shop.orders.getCart(.init()) }
        }
    }

    @Test("A cart holds a bounded number of products: CART_FULL")
    func lineLimit() async throws {
        try await OrdersHarness.with(settings: .init(maxCartLines: 2)) { shop in
            let products = try await [shop.product("A", priceCents: 1), shop.product("B", priceCents: 2), shop.product("C", priceCents: 3)]
            _ = try await shop.orders.setCartItem(.init(productId: products[0].id, quantity: 1), metadata: Self.alice)
            _ = try await shop.orders.setCartItem(.init(productId: products[1].id, quantity: 1), metadata: Self.alice)
            await expectRPCError(.failedPrecondition, reason: "CART_FULL") {
                _ = try await shop.orders.setCartItem(.init(productId: products[2].id, quantity: 1), metadata: Self.alice)
            }
            let cart = try await shop.orders.setCartItem(.init(productId: products[1].id, quantity: 5), metadata: Self.alice)
            #expect(cart.totalCents == 1 + 10)
        }
    }

    @Test("More units of a product than one customer may buy: PRODUCT_LIMIT_REACHED, the cart unchanged")
    func unitsPerProductLimit() async throws {
        try await OrdersHarness.with(settings: .init(maxUnitsPerProduct: 3)) { shop in
            let mug = try await shop.product("Mug", priceCents: 2_990)
            let cart = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: 3), metadata: Self.alice)
            for quantity: Int64 in [4, 1_000] {
                await expectRPCError(.failedPrecondition, reason: "PRODUCT_LIMIT_REACHED") {
                    _ = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: quantity), metadata: Self.alice)
                }
            }
            // Beyond the input bound, the quantity is invalid whatever the rule.
            await expectRPCError(.invalidArgument) {
                _ = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: .max), metadata: Self.alice)
            }
            #expect(try await shop.orders.getCart(.init(), metadata: Self.alice) == cart)
        }
    }

    @Test("A product id of any size comes back in the message as a short prefix")
    func hugeProductID() async throws {
        try await OrdersHarness.with { shop in
            let huge = String(repeating: "x", count: 1 << 20)
            let error = await rpcError {
                _ = try await shop.orders.setCartItem(.init(productId: huge, quantity: 1), metadata: Self.alice)
            }
            #expect(error?.code == .invalidArgument)
            #expect((error?.message.utf8.count ?? .max) < 200)
            #expect(error?.message.contains(String(repeating: "x", count: 64) + "…") == true)
        }
    }

    @Test("A product deleted since it was added leaves the cart view at once and the cart at the next change")
    func deletedProducts() async throws {
        try await OrdersHarness.with(settings: .init(maxCartLines: 2)) { shop in
            let mug = try await shop.product("Mug", priceCents: 1_000)
            let lamp = try await shop.product("Lamp", priceCents: 5_000)
            let desk = try await shop.product("Desk", priceCents: 50_000)
            _ = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: 1), metadata: Self.alice)
            _ = try await shop.orders.setCartItem(.init(productId: lamp.id, quantity: 2), metadata: Self.alice)
            _ = try await shop.catalog.deleteProduct(.init(id: lamp.id), metadata: TestPrincipalInterceptor.admin())

            let cart = try await shop.orders.getCart(.init(), metadata: Self.alice)
            #expect(cart.items.map(\.productId) == [mug.id])
            #expect(cart.totalCents == 1_000)
            #expect(try await shop.ledger.getCartOf(.init(userId: "alice")) == cart)

            // The stale line no longer counts against the limit of 2.
            let updated = try await shop.orders.setCartItem(.init(productId: desk.id, quantity: 1), metadata: Self.alice)
            #expect(updated.items.map(\.productId) == [mug.id, desk.id])
            #expect(updated.totalCents == 51_000)
            // Removing a deleted product's line is allowed.
            #expect(try await shop.orders.setCartItem(.init(productId: lamp.id, quantity: 0), metadata: Self.alice) == updated)
        }
    }

    @Test("CreateOrder with remove_from_cart takes the ordered quantities out, in the same transaction, once")
    func createOrderEmptiesTheCart() async throws {
        try await OrdersHarness.with { shop in
            let mug = try await shop.product("Mug", priceCents: 1_000)
            let tee = try await shop.product("Tee", priceCents: 2_000)
            _ = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: 5), metadata: Self.alice)
            _ = try await shop.orders.setCartItem(.init(productId: tee.id, quantity: 1), metadata: Self.alice)
            let request = Bigshop_Orders_V1_CreateOrderRequest(
                order: .init(
                    id: "ord_cart", userId: "alice",
                    items: [
                        .init(productId: mug.id, name: "Mug", quantity: 2, unitPriceCents: 1_000),
                        .init(productId: tee.id, name: "Tee", quantity: 1, unitPriceCents: 2_000),
                    ],
                    totalCents: 4_000, paymentDueAtMs: OrdersHarness.startMs + 1),
                removeFromCart: true)
            _ = try await shop.ledger.createOrder(request)
            let cart = try await shop.orders.getCart(.init(), metadata: Self.alice)
            #expect(cart.items == [.init(productId: mug.id, name: "Mug", quantity: 3, unitPriceCents: 1_000)])
            _ = try await shop.ledger.createOrder(request)
            #expect(try await shop.orders.getCart(.init(), metadata: Self.alice) == cart)
        }
    }
}
