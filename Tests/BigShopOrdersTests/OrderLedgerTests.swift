import BigRPC
import BigShopOrdersAPI
import BigShopServiceKit
import BigShopTestSupport
import Testing

@Suite("OrderLedger")
struct OrderLedgerTests {
    @Test("CreateOrder opens the order PENDING_PAYMENT with its first event, once per id")
    func createOrderIsIdempotent() async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "u1", id: "ord_1", items: [("p1", 2, 1_000), ("p2", 1, 250)])
            #expect(order.status == .pendingPayment)
            #expect(order.statusReason.isEmpty)
            #expect(order.createdAtMs == OrdersHarness.startMs)
            #expect(order.updatedAtMs == OrdersHarness.startMs)
            #expect(order.totalCents == 2_250)
            #expect(order.items.map(\.productId) == ["p1", "p2"])

            shop.clock.advance(byMs: 5_000)
            let again = try await shop.placeOrder(for: "u1", id: "ord_1", items: [("p9", 9, 9)])
            #expect(again == order)
            #expect(try await shop.ledger.lookupOrder(.init(orderId: "ord_1")) == order)

            let events = try await shop.events(of: "ord_1", count: 1)
            #expect(events == [.init(orderId: "ord_1", status: .pendingPayment, atMs: OrdersHarness.startMs, reason: "")])
        }
    }

    @Test("CreateOrder refuses malformed orders, naming the field")
    func createOrderValidation() async throws {
        try await OrdersHarness.with { shop in
            let item = Bigshop_Orders_V1_OrderItem(productId: "p1", name: "P", quantity: 1, unitPriceCents: 100)
            let valid = Bigshop_Orders_V1_Order(
                id: "ord_v", userId: "u1", items: [item], totalCents: 100, paymentDueAtMs: OrdersHarness.startMs + 1)
            var cases: [(String, Bigshop_Orders_V1_Order?)] = [("order is required", nil)]
            var order = valid
            order.id = ""
            cases.append(("order.id", order))
            order = valid
            order.userId = ""
            cases.append(("order.user_id", order))
            order = valid
            order.items = []
            cases.append(("order.items", order))
            order = valid
            order.items[0].productId = ""
            cases.append(("order.items[0].product_id", order))
            order = valid
            order.items = [item, item]
            order.totalCents = 200
            cases.append(("order.items[1].product_id", order))
            order = valid
            order.items[0].quantity = 0
            cases.append(("order.items[0].quantity", order))
            order = valid
            order.items[0].unitPriceCents = -1
            cases.append(("order.items[0].unit_price_cents", order))
            order = valid
            order.totalCents = 99
            cases.append(("order.total_cents", order))
            order = valid
            order.items[0].quantity = 3
            order.items[0].unitPriceCents = Int64.max / 2
            cases.append(("order.total_cents", order))
            order = valid
            order.items[0].quantity = .max
            order.items[0].unitPriceCents = 2
            cases.append(("order.total_cents", order))
            order = valid
            order.items = [item, Bigshop_Orders_V1_OrderItem(productId: "p2", name: "Q", quantity: .max, unitPriceCents: 1)]
            order.totalCents = .max
            cases.append(("order.total_cents", order))
            order = valid
            order.paymentDueAtMs = 0
            cases.append(("order.payment_due_at_ms", order))

            for (field, order) in cases {
                let error = await rpcError { _ = try await shop.ledger.createOrder(.init(order: order)) }
                #expect(error?.code == .invalidArgument, "\(field)")
                #expect(error?.message.contains(field) == true, "\(field): \(error?.message ?? "")")
            }
            await expectRPCError(.notFound) { _ = try await shop.ledger.lookupOrder(.init(orderId: "ord_v")) }
            let created = try await shop.ledger.createOrder(.init(order: valid))
            #expect(created.status == .pendingPayment)
        }
    }

    @Test("ConfirmOrder moves PENDING_PAYMENT to CONFIRMED; repeats are no-ops; a cancelled order refuses")
    func confirmOrder() async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "u1")
            shop.clock.advance(byMs: 1_000)
            let confirmed = try await shop.ledger.confirmOrder(.init(orderId: order.id))
            #expect(confirmed.status == .confirmed)
            #expect(confirmed.updatedAtMs == OrdersHarness.startMs + 1_000)
            #expect(confirmed.createdAtMs == order.createdAtMs)

            shop.clock.advance(byMs: 1_000)
            #expect(try await shop.ledger.confirmOrder(.init(orderId: order.id)) == confirmed)

            try await shop.move(order.id, to: .shipped)
            let shipped = try await shop.ledger.lookupOrder(.init(orderId: order.id))
            #expect(try await shop.ledger.confirmOrder(.init(orderId: order.id)) == shipped)

            let events = try await shop.events(of: order.id, count: 3)
            #expect(events.map(\.status) == [.pendingPayment, .confirmed, .shipped])

            let cancelled = try await shop.placeOrder(for: "u1")
            try await shop.move(cancelled.id, to: .cancelled)
            await expectRPCError(.failedPrecondition, reason: "INVALID_STATUS_TRANSITION") {
                _ = try await shop.ledger.confirmOrder(.init(orderId: cancelled.id))
            }
            await expectRPCError(.notFound) { _ = try await shop.ledger.confirmOrder(.init(orderId: "ord_none")) }
            await expectRPCError(.invalidArgument) { _ = try await shop.ledger.confirmOrder(.init(orderId: "")) }
        }
    }

    @Test("AbandonOrder cancels an unpaid order with the reason; repeats are no-ops; a paid order refuses")
    func abandonOrder() async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "u1")
            shop.clock.advance(byMs: 2_000)
            let cancelled = try await shop.ledger.abandonOrder(.init(orderId: order.id, reason: "PAYMENT_EXPIRED"))
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.statusReason == "PAYMENT_EXPIRED")
            #expect(cancelled.updatedAtMs == OrdersHarness.startMs + 2_000)

            shop.clock.advance(byMs: 2_000)
            let again = try await shop.ledger.abandonOrder(.init(orderId: order.id, reason: "CANCELLED_BY_CUSTOMER"))
            #expect(again == cancelled)
            let events = try await shop.events(of: order.id, count: 2)
            #expect(
                events == [
                    .init(orderId: order.id, status: .pendingPayment, atMs: OrdersHarness.startMs, reason: ""),
                    .init(orderId: order.id, status: .cancelled, atMs: OrdersHarness.startMs + 2_000, reason: "PAYMENT_EXPIRED"),
                ])

            let paid = try await shop.placeOrder(for: "u1")
            try await shop.move(paid.id, to: .confirmed)
            await expectRPCError(.failedPrecondition, reason: "INVALID_STATUS_TRANSITION") {
                _ = try await shop.ledger.abandonOrder(.init(orderId: paid.id, reason: "PAYMENT_EXPIRED"))
            }
            await expectRPCError(.invalidArgument) {
                _ = try await shop.ledger.abandonOrder(.init(orderId: paid.id, reason: ""))
            }
            await expectRPCError(.notFound) {
                _ = try await shop.ledger.abandonOrder(.init(orderId: "ord_none", reason: "PAYMENT_EXPIRED"))
            }
        }
    }

    @Test("ListOrdersOf pages newest first, for one user or for everyone")
    func listOrdersOf() async throws {
        try await OrdersHarness.with { shop in
            var ids: [String: [String]] = [:]
            for index in 0..<7 {
                let user = index % 3 == 0 ? "u2" : "u1"
                ids[user, default: []].append(try await shop.placeOrder(for: user, id: "ord_\(index)").id)
                shop.clock.advance(byMs: 10)
            }
            var seen: [String] = []
            var token = ""
            repeat {
                let page = try await shop.ledger.listOrdersOf(.init(userId: "u1", pageSize: 2, pageToken: token))
                #expect(page.orders.count <= 2)
                #expect(page.orders.allSatisfy { $0.userId == "u1" })
                seen += page.orders.map(\.id)
                token = page.nextPageToken
            } while !token.isEmpty
            #expect(seen == ids["u1"]!.reversed())

            let everyone = try await shop.ledger.listOrdersOf(.init(userId: "", pageSize: 0, pageToken: ""))
            #expect(everyone.orders.map(\.id) == (0..<7).reversed().map { "ord_\($0)" })
            #expect(everyone.nextPageToken.isEmpty)
            #expect(everyone.orders.first?.items.count == 1)

            let exact = try await shop.ledger.listOrdersOf(.init(userId: "u2", pageSize: 3, pageToken: ""))
            #expect(exact.orders.count == 3)
            #expect(exact.nextPageToken.isEmpty)

            await expectRPCError(.invalidArgument) {
                _ = try await shop.ledger.listOrdersOf(.init(userId: "u1", pageSize: 2, pageToken: "not-a-token!"))
            }
            await expectRPCError(.invalidArgument) {
                _ = try await shop.ledger.listOrdersOf(.init(userId: "u1", pageSize: 2, pageToken: PageToken(["x"]).encoded))
            }
            await expectRPCError(.invalidArgument) {
                _ = try await shop.ledger.listOrdersOf(.init(userId: "u1", pageSize: -1, pageToken: ""))
            }
        }
    }

    @Test("Closing the module ends open watches with UNAVAILABLE")
    func closingEndsWatches() async throws {
        try await OrdersHarness.with { shop in
            let order = try await shop.placeOrder(for: "u1")
            let replayed = OrderEventFeedTests.Flag()
            let watch = Task {
                try await shop.ledger.watchOrderEvents(.init(orderId: order.id)) { stream in
                    for try await _ in stream { replayed.set() }
                }
            }
            try #require(await eventually { replayed.isSet })
            try await shop.shop.stop()
            await expectRPCError(.unavailable) { try await watch.value }
        }
    }

    @Test("WatchOrderEvents and LookupOrder answer NOT_FOUND for an unknown order")
    func unknownOrder() async throws {
        try await OrdersHarness.with { shop in
            await expectRPCError(.notFound) { _ = try await shop.events(of: "ord_none", count: 1) }
            await expectRPCError(.notFound) { _ = try await shop.ledger.lookupOrder(.init(orderId: "ord_none")) }
            await expectRPCError(.invalidArgument) { _ = try await shop.ledger.lookupOrder(.init(orderId: "")) }
        }
    }
}
