import BigRPC
import BigShopOrdersAPI
import BigShopServiceKit
import BigShopStore
import BigShopTestSupport
import Synchronization
import Testing

@testable import BigShopOrders

/// Two replicas of the orders service on one PostgreSQL database: a change
/// committed through one reaches the order watchers of the other (LISTEN/NOTIFY
/// after commit, gaps read by `seq`), even across a lost listening connection.
@Suite(
    "Order watches across replicas", .enabled(if: TestPostgres.isAvailable, "needs BIGSHOP_TEST_POSTGRES_URL (scripts/with-postgres)"),
    .timeLimit(.minutes(3)))
struct ReplicaWatchTests {
    /// One replica: its module, serving, and a client of its ledger.
    struct Replica {
        let module: OrdersModule
        let life: Task<Void, Never>
        let ledger: Bigshop_Orders_V1_OrderLedger.Client

        var book: OrderStore { module.orderLedger.book }

        static func open(_ storage: ShopStorage) async throws -> Replica {
            // Neither inventory nor the saga is called by the ledger's calls used here.
            let unreachable = RPCClient(transport: InProcessTransport(server: RPCServer(services: [])))
            let module = try await OrdersModule.open(
                storage: storage, clock: ManualClock(nowMs: 1_750_000_000_000),
                inventory: .init(wrapping: unreachable), saga: .init(wrapping: unreachable))
            let server = RPCServer(services: [module.ordersService, module.orderLedger])
            return Replica(
                module: module, life: Task { await module.run() },
                ledger: .init(wrapping: RPCClient(transport: InProcessTransport(server: server))))
        }

        /// Stops the replica as a graceful shutdown would.
        func stop() async {
            life.cancel()
            await life.value
        }
    }

    /// Runs `body` with two replicas on one fresh set of schemas, then stops
    /// them and drops the schemas.
    func withTwoReplicas(_ body: (Replica, Replica) async throws -> Void) async throws {
        let endpoint = try #require(TestPostgres.endpoint)
        let prefix = TestPostgres.uniqueSchema("rw") + "_"
        let storage = ShopStorage.postgres(
            PostgresStorage(endpoint: endpoint, schemaPrefix: prefix, writerConnections: 2, readerConnections: 1))
        let a = try await Replica.open(storage)
        let b: Replica
        do {
            b = try await Replica.open(storage)
        } catch {
            await a.stop()
            throw error
        }
        do {
            try await body(a, b)
        } catch {
            await a.stop()
            await b.stop()
            await TestPostgres.dropSchema(prefix + "orders")
            throw error
        }
        await a.stop()
        await b.stop()
        await TestPostgres.dropSchema(prefix + "orders")
    }

    /// What one watcher received, in order.
    final class Received: Sendable {
        private let events = Mutex<[Bigshop_Orders_V1_OrderStatusChange]>([])
        func append(_ event: Bigshop_Orders_V1_OrderStatusChange) { events.withLock { $0.append(event) } }
        var statuses: [Bigshop_Orders_V1_OrderStatus] { events.withLock { $0.map(\.status) } }
    }

    /// Watches `orderID` through `replica`'s ledger until the stream ends.
    func watch(_ orderID: String, on replica: Replica, into received: Received) -> Task<Void, any Error> {
        Task {
            try await replica.ledger.watchOrderEvents(.init(orderId: orderID)) { stream in
                for try await event in stream { received.append(event) }
            }
        }
    }

    func draft(_ id: String) -> Bigshop_Orders_V1_CreateOrderRequest {
        .init(
            order: .init(
                id: id, userId: "u1",
                items: [.init(productId: "prod_a", name: "Mug", quantity: 1, unitPriceCents: 1_000)],
                totalCents: 1_000, paymentDueAtMs: 1_750_000_900_000))
    }

    @Test("A watcher on replica B sees every change committed through replica A, in order, once")
    func changesThroughOneReplicaReachWatchersOfTheOther() async throws {
        try await withTwoReplicas { a, b in
            let ids = (0..<12).map { ShopID.make("ord") + "_\($0)" }
            for id in ids { _ = try await a.ledger.createOrder(draft(id)) }
            let watchers = ids.map { (id: $0, received: Received()) }
            let tasks = watchers.map { watch($0.id, on: b, into: $0.received) }
            // Every watcher has replayed its history before anything moves: what
            // follows can only reach it live, through the notifications.
            try #require(await eventually { watchers.allSatisfy { $0.received.statuses == [.pendingPayment] } })

            // Orders move concurrently on replica A: even ones to DELIVERED, odd ones cancelled.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in ids.enumerated() {
                    group.addTask {
                        if index.isMultiple(of: 2) {
                            _ = try await a.ledger.confirmOrder(.init(orderId: id))
                            _ = try await a.book.fulfil(id, to: .shipped)
                            _ = try await a.book.fulfil(id, to: .delivered)
                        } else {
                            _ = try await a.ledger.abandonOrder(.init(orderId: id, reason: "PAYMENT_EXPIRED"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            for task in tasks { try await task.value }  // each stream ends after its final status
            for (index, watcher) in watchers.enumerated() {
                let expected: [Bigshop_Orders_V1_OrderStatus] =
                    index.isMultiple(of: 2) ? [.pendingPayment, .confirmed, .shipped, .delivered] : [.pendingPayment, .cancelled]
                #expect(watcher.received.statuses == expected)
            }
            #expect(b.module.orderLedger.feed.hub.subscriberCount == 0)
        }
    }

    @Test("Changes made through both replicas reach the watchers of both")
    func changesThroughBothReplicas() async throws {
        try await withTwoReplicas { a, b in
            let id = ShopID.make("ord")
            _ = try await b.ledger.createOrder(draft(id))
            let onA = Received()
            let onB = Received()
            let watchers = [watch(id, on: a, into: onA), watch(id, on: b, into: onB)]
            try #require(await eventually { onA.statuses == [.pendingPayment] && onB.statuses == [.pendingPayment] })
            _ = try await a.ledger.confirmOrder(.init(orderId: id))
            try #require(await eventually { onA.statuses.count == 2 && onB.statuses.count == 2 })
            _ = try await b.book.fulfil(id, to: .shipped)
            _ = try await a.book.fulfil(id, to: .delivered)
            for watcher in watchers { try await watcher.value }
            #expect(onA.statuses == [.pendingPayment, .confirmed, .shipped, .delivered])
            #expect(onB.statuses == [.pendingPayment, .confirmed, .shipped, .delivered])
        }
    }

    @Test("A replica whose listening connection is terminated reconnects and re-reads what it missed")
    func listenerReconnectRereadsWatchedOrders() async throws {
        try await withTwoReplicas { a, b in
            let id = ShopID.make("ord")
            _ = try await a.ledger.createOrder(draft(id))
            let received = Received()
            let watcher = watch(id, on: b, into: received)
            try #require(await eventually { received.statuses == [.pendingPayment] })

            let listener = b.module.listener
            let backend = try #require(listener.backendProcessID)
            let admin = try await Database(
                location: .postgres(try #require(TestPostgres.endpoint), schema: "public"),
                configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
            let terminated = try await admin.writeWithoutTransaction { connection in
                try connection.queryOne("SELECT pg_terminate_backend(CAST(? AS integer)) AS done", .integer(Int64(backend)))?.int64("done")
            }
            await admin.close()
            #expect(terminated == 1)
            // Committed at once, most likely while B is not listening: its
            // notification is lost, and B's re-read after reconnecting finds it.
            _ = try await a.ledger.confirmOrder(.init(orderId: id))
            try #require(await eventually { listener.reconnectCount == 1 })
            try #require(await eventually { received.statuses == [.pendingPayment, .confirmed] })
            #expect(listener.backendProcessID != backend)

            _ = try await a.book.fulfil(id, to: .shipped)
            _ = try await a.book.fulfil(id, to: .delivered)
            try await watcher.value
            #expect(received.statuses == [.pendingPayment, .confirmed, .shipped, .delivered])
        }
    }
}
