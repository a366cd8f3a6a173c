import BigRPC
import BigShopOrdersAPI
import BigShopTestSupport
import Testing

@Suite("UpdateOrderStatus")
struct OrderStatusTests {
    static let statuses: [Bigshop_Orders_V1_OrderStatus] = [.pendingPayment, .confirmed, .shipped, .delivered, .cancelled]
    static let validMoves: Set<[Int32]> = [[2, 3], [3, 4]]

    @Test("An admin moves CONFIRMED → SHIPPED → DELIVERED, each move a status event")
    func fulfilment() async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "u1")
            try await shop.move(order.id, to: .confirmed)
            shop.clock.advance(byMs: 60_000)
            let shipped = try await shop.orders.updateOrderStatus(
                .init(id: order.id, status: .shipped), metadata: TestPrincipalInterceptor.admin())
            #expect(shipped.status == .shipped)
            #expect(shipped.updatedAtMs == OrdersHarness.startMs + 60_000)
            shop.clock.advance(byMs: 60_000)
            let delivered = try await shop.orders.updateOrderStatus(
                .init(id: order.id, status: .delivered), metadata: TestPrincipalInterceptor.admin())
            #expect(delivered.status == .delivered)
            #expect(try await shop.orders.getOrder(.init(id: order.id), metadata: TestPrincipalInterceptor.customer("u1")) == delivered)

            let events = try await shop.events(of: order.id, count: 4)
            #expect(events.map(\.status) == [.pendingPayment, .confirmed, .shipped, .delivered])
            #expect(events.map(\.atMs) == [0, 0, 60_000, 120_000].map { OrdersHarness.startMs + $0 })
        }
    }

    @Test("Every other move is FAILED_PRECONDITION and changes nothing", arguments: statuses)
    func invalidMoves(from current: Bigshop_Orders_V1_OrderStatus) async throws {
        try await OrdersHarness.with { shop in
            for target in Self.statuses where !Self.validMoves.contains([current.rawValue, target.rawValue]) {
                let order = try await shop.placeOrder(for: "u1")
                try await shop.move(order.id, to: current)
                let before = try await shop.ledger.lookupOrder(.init(orderId: order.id))
                await expectRPCError(.failedPrecondition, reason: "INVALID_STATUS_TRANSITION") {
                    _ = try await shop.orders.updateOrderStatus(
                        .init(id: order.id, status: target), metadata: TestPrincipalInterceptor.admin())
                }
                #expect(try await shop.ledger.lookupOrder(.init(orderId: order.id)) == before, "\(current) → \(target)")
            }
        }
    }

    @Test("A non-status, a customer, an unknown or missing id are refused")
    func refusals() async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "u1")
            try await shop.move(order.id, to: .confirmed)
            for status in [Bigshop_Orders_V1_OrderStatus.unspecified, .unrecognized(42)] {
                await expectRPCError(.invalidArgument) {
                    _ = try await shop.orders.updateOrderStatus(
                        .init(id: order.id, status: status), metadata: TestPrincipalInterceptor.admin())
                }
            }
            await expectRPCError(.permissionDenied) {
                _ = try await shop.orders.updateOrderStatus(
                    .init(id: order.id, status: .shipped), metadata: TestPrincipalInterceptor.customer("u1"))
            }
            await expectRPCError(.unauthenticated) {
                _ = try await shop.orders.updateOrderStatus(.init(id: order.id, status: .shipped))
            }
            await expectRPCError(.notFound) {
                _ = try await shop.orders.updateOrderStatus(
                    .init(id: "ord_none", status: .shipped), metadata: TestPrincipalInterceptor.admin())
            }
            await expectRPCError(.invalidArgument) {
                _ = try await shop.orders.updateOrderStatus(
                    .init(id: "", status: .shipped), metadata: TestPrincipalInterceptor.admin())
            }
            #expect(try await shop.ledger.lookupOrder(.init(orderId: order.id)).status == .confirmed)
        }
    }
}
