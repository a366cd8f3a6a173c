import BigRPC
import BigShopOrdersAPI
import BigShopTestSupport
import Testing

@Suite("Persistence")
struct PersistenceTests {
    @Test("Carts, orders, their lines and status history survive a reopen")
    func reopen() async throws {
        try await OrdersHarness.withDirectory { directory in
            let alice = TestPrincipalInterceptor.customer("alice")
            let (cart, orders) = try await OrdersHarness.with(directory: directory) { shop in
                let mug = try await shop.product("Mug", priceCents: 1_000)
                let cart = try await shop.orders.setCartItem(.init(productId: mug.id, quantity: 3), metadata: alice)
                let first = try await shop.placeOrder(for: "alice", items: [("p1", 1, 100), ("p2", 2, 200)])
                shop.clock.advance(byMs: 10)
                try await shop.placeOrder(for: "alice")
                try await shop.move(first.id, to: .shipped)
                let orders = try await shop.history.listOrders(.init(), metadata: alice).orders
                return (cart, orders)
            }
            try await OrdersHarness.with(directory: directory) { shop in
                #expect(try await shop.orders.getCart(.init(), metadata: alice) == cart)
                #expect(try await shop.history.listOrders(.init(), metadata: alice).orders == orders)
                let shipped = orders[1]
                #expect(shipped.status == .shipped)
                #expect(shipped.items.count == 2)
                let events = try await shop.events(of: shipped.id, count: 3)
                #expect(events.map(\.status) == [.pendingPayment, .confirmed, .shipped])

                // Sequencing continues where it stopped.
                _ = try await shop.orders.updateOrderStatus(
                    .init(id: shipped.id, status: .delivered), metadata: TestPrincipalInterceptor.admin())
                let all = try await shop.events(of: shipped.id, count: 4)
                #expect(all.map(\.status) == [.pendingPayment, .confirmed, .shipped, .delivered])
                // A new order is newest.
                let third = try await shop.placeOrder(for: "alice")
                #expect(try await shop.history.listOrders(.init(), metadata: alice).orders.first?.id == third.id)
            }
        }
    }
}
