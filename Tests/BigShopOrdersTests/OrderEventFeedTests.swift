import BigRPC
import BigShopOrdersAPI
import BigShopServiceKit
import BigShopTestSupport
import Synchronization
import Testing

@testable import BigShopOrders

/// The watch algorithm's recoveries, driven from inside: a watcher that falls
/// behind, and events published out of commit order.
@Suite("OrderEventFeed")
struct OrderEventFeedTests {
    /// Lets a test hold a watcher inside its first `send`.
    final class Gate: Sendable {
        private let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation
        init() { (stream, continuation) = AsyncStream.makeStream() }
        func open() { continuation.yield() }
        func wait() async { for await _ in stream { return } }
    }

    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    final class Received: Sendable {
        let events = Mutex<[OrderStatusEvent]>([])
        var statuses: [Bigshop_Orders_V1_OrderStatus] { events.withLock { $0.map(\.status) } }
        var seqs: [Int64] { events.withLock { $0.map(\.seq) } }
    }

    @Test("A watcher too slow for its buffer is resynchronized from the database and misses nothing")
    func slowWatcherResyncs() async throws {
        try await OrdersHarness.with(settings: .init(watcherBufferCapacity: 1)) { shop in
            let feed = shop.ordersModule.orderLedger.feed
            let order = try await shop.placeOrder(for: "u1")
            let gate = Gate()
            let held = Flag()
            let received = Received()
            let watcher = Task {
                try await feed.run(orderID: order.id) { event in
                    if event.seq == 1 {
                        held.set()
                        await gate.wait()
                    }
                    received.events.withLock { $0.append(event) }
                }
            }
            try #require(await eventually { held.isSet })
            // Three changes while the watcher is stuck on the first event: its
            // one-event mailbox overflows.
            try await shop.move(order.id, to: .delivered)
            gate.open()
            try await watcher.value
            #expect(received.statuses == [.pendingPayment, .confirmed, .shipped, .delivered])
            #expect(received.seqs == [1, 2, 3, 4])
            #expect(feed.hub.subscriberCount == 0)
        }
    }

    @Test("An event missed by the hub is read from the database when a later one arrives; stale ones are skipped")
    func missedPublication() async throws {
        try await OrdersHarness.with { shop in
            let feed = shop.ordersModule.orderLedger.feed
            let order = try await shop.placeOrder(for: "u1")
            let received = Received()
            let watcher = Task {
                try await feed.run(orderID: order.id) { event in received.events.withLock { $0.append(event) } }
            }
            try #require(await eventually { received.seqs == [1] })

            // Another process on the same file confirms: on SQLite this hub never
            // hears of it (on PostgreSQL it does: see ReplicaWatchTests).
            let unreachable = RPCClient(transport: InProcessTransport(server: RPCServer(services: [])))
            let other = try await OrdersModule.open(
                storage: TestStorage.forDirectory(shop.directory), clock: shop.clock,
                inventory: .init(wrapping: unreachable), saga: .init(wrapping: unreachable))
            let life = Task { await other.run() }
            _ = try await other.orderLedger.book.confirm(order.id)
            life.cancel()  // stops it as a crash would, closing its database
            await life.value
            if case .postgres = TestStorage.forDirectory(shop.directory) {
                try #require(await eventually { received.seqs == [1, 2] })
            } else {
                try await Task.sleep(for: .milliseconds(50))
                #expect(received.seqs == [1])
            }

            // SHIPPED arrives as seq 3 after 1 (SQLite): the watcher reads 2 and 3 from the database.
            _ = try await shop.orders.updateOrderStatus(
                .init(id: order.id, status: .shipped), metadata: TestPrincipalInterceptor.admin())
            try #require(await eventually { received.seqs == [1, 2, 3] })
            feed.hub.publish(OrderStatusEvent(orderID: order.id, seq: 2, status: .confirmed, atMs: 0, reason: "stale"))
            feed.hub.publish(OrderStatusEvent(orderID: order.id, seq: 3, status: .shipped, atMs: 0, reason: "stale"))
            _ = try await shop.orders.updateOrderStatus(
                .init(id: order.id, status: .delivered), metadata: TestPrincipalInterceptor.admin())
            try await watcher.value
            #expect(received.statuses == [.pendingPayment, .confirmed, .shipped, .delivered])
            #expect(received.seqs == [1, 2, 3, 4])
            #expect(received.events.withLock { $0.allSatisfy { $0.reason.isEmpty } })
        }
    }
}
