import BigRPC
import BigShopOrdersAPI
import BigShopTestSupport
import Testing

@Suite("Order privacy")
struct OrderPrivacyTests {
    @Test("GetOrder: the owner and admins see the order; another customer gets NOT_FOUND, as for no order")
    func getOrder() async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "alice")
            #expect(try await shop.orders.getOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.customer("alice")) == order)
            #expect(try await shop.orders.getOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.admin()) == order)

            let foreign = await rpcError {
                _ = try await shop.orders.getOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.customer("bob"))
            }
            let missing = await rpcError {
                _ = try await shop.orders.getOrder(.init(id: "ord_none"), metadata: TestPrincipalInterceptor.customer("bob"))
            }
            #expect(foreign?.code == .notFound)
            #expect(foreign?.message == missing?.message.replacingOccurrences(of: "ord_none", with: order.id))
            await expectRPCError(.unauthenticated) { _ = try await shop.orders.getOrder(.init(id: order.id)) }
        }
    }

    @Test("CancelOrder: another customer, and an admin who does not own it, get NOT_FOUND; the saga is not called")
    func cancelOrder() async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "alice")
            await expectRPCError(.notFound) {
                _ = try await shop.orders.cancelOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.customer("bob"))
            }
            await expectRPCError(.notFound) {
                _ = try await shop.orders.cancelOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.admin())
            }
            await expectRPCError(.notFound) {
                _ = try await shop.orders.cancelOrder(.init(id: "ord_none"), metadata: TestPrincipalInterceptor.customer("bob"))
            }
            #expect(shop.saga.cancelRequests.isEmpty)
            #expect(try await shop.ledger.lookupOrder(.init(orderId: order.id)).status == .pendingPayment)
        }
    }

    @Test("WatchOrder: another customer gets NOT_FOUND, as for no order; the owner and admins may watch")
    func watchOrder() async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "alice")
            try await shop.move(order.id, to: .cancelled)
            let foreign = await rpcError {
                try await shop.history.watchOrder(.init(orderId: order.id), metadata: TestPrincipalInterceptor.customer("bob")) { stream in
                    for try await _ in stream {}
                }
            }
            #expect(foreign?.code == .notFound)
            #expect(foreign?.message == "order \(order.id) not found")
            await expectRPCError(.notFound) {
                try await shop.history.watchOrder(.init(orderId: "ord_none"), metadata: TestPrincipalInterceptor.customer("bob")) { stream in
                    for try await _ in stream {}
                }
            }
            for caller in [TestPrincipalInterceptor.customer("alice"), TestPrincipalInterceptor.admin()] {
                let statuses = try await shop.history.watchOrder(.init(orderId: order.id), metadata: caller) { stream in
                    var statuses: [Bigshop_Orders_V1_OrderStatus] = []
                    for try await event in stream { statuses.append(event.status) }
                    return statuses
                }
                #expect(statuses == [.pendingPayment, .cancelled])
            }
        }
    }

    @Test("ListOrders shows a customer only their own orders")
    func listOrders() async throws {
        try await OrdersHarness.with { shop in
            let mine = try await shop.placeOrder(for: "alice")
            try await shop.placeOrder(for: "bob")
            let page = try await shop.history.listOrders(.init(), metadata: TestPrincipalInterceptor.customer("alice"))
            #expect(page.orders == [mine])
        }
    }
}
