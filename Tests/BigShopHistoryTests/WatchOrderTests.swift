import BigRPC
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopTestSupport
import Synchronization
import Testing

@testable import BigShopOrders

@Suite("HistoryService.WatchOrder")
struct WatchOrderTests {
    static let alice = TestPrincipalInterceptor.customer("alice")

    /// What a watcher has received so far, and how its stream ended.
    final class Watcher: Sendable {
        private let state = Mutex<(events: [Bigshop_History_V1_OrderEvent], ended: Bool)>(([], false))
        var events: [Bigshop_History_V1_OrderEvent] { state.withLock { $0.events } }
        var statuses: [Bigshop_Orders_V1_OrderStatus] { events.map(\.status) }
        var ended: Bool { state.withLock { $0.ended } }

        /// Starts watching `orderID` as `caller`; the task ends with the stream.
        static func start(
            _ shop: HistoryHarness, _ orderID: String, as caller: Metadata = WatchOrderTests.alice
        ) -> (Watcher, Task<Void, any Error>) {
            let watcher = Watcher()
            let task = Task {
                try await shop.history.watchOrder(.init(orderId: orderID), metadata: caller) { stream in
                    for try await event in stream { watcher.state.withLock { $0.events.append(event) } }
                }
                watcher.state.withLock { $0.ended = true }
            }
            return (watcher, task)
        }
    }

    @Test("Replays the history oldest first, then streams each change live, and ends OK after DELIVERED")
    func replayThenLive() async throws {
        try await HistoryHarness.with { shop in
            let order = try await shop.placeOrder(for: "alice")
            shop.clock.advance(byMs: 1_000)
            try await shop.confirm(order.id)
            let (watcher, task) = Watcher.start(shop, order.id)
            try #require(await eventually { watcher.statuses == [.pendingPayment, .confirmed] })

            shop.clock.advance(byMs: 1_000)
            try await shop.advance(order.id, to: .shipped)
            try #require(await eventually { watcher.statuses.count == 3 })
            #expect(!watcher.ended)
            shop.clock.advance(byMs: 1_000)
            try await shop.advance(order.id, to: .delivered)
            try await task.value
            #expect(watcher.ended)
            #expect(
                watcher.events == [
                    .init(orderId: order.id, status: .pendingPayment, atMs: HistoryHarness.startMs, reason: ""),
                    .init(orderId: order.id, status: .confirmed, atMs: HistoryHarness.startMs + 1_000, reason: ""),
                    .init(orderId: order.id, status: .shipped, atMs: HistoryHarness.startMs + 2_000, reason: ""),
                    .init(orderId: order.id, status: .delivered, atMs: HistoryHarness.startMs + 3_000, reason: ""),
                ])
        }
    }

    @Test("Ends OK after CANCELLED, with the reason")
    func endsAfterCancelled() async throws {
        try await HistoryHarness.with { shop in
            let order = try await shop.placeOrder(for: "alice")
            let (watcher, task) = Watcher.start(shop, order.id)
            try #require(await eventually { watcher.statuses == [.pendingPayment] })
            try await shop.abandon(order.id, reason: "CANCELLED_BY_CUSTOMER")
            try await task.value
            #expect(watcher.statuses == [.pendingPayment, .cancelled])
            #expect(watcher.events.last?.reason == "CANCELLED_BY_CUSTOMER")
        }
    }

    @Test("A finished order replays its history and ends at once")
    func finishedOrder() async throws {
        try await HistoryHarness.with { shop in
            let order = try await shop.placeOrder(for: "alice")
            try await shop.abandon(order.id)
            let (watcher, task) = Watcher.start(shop, order.id)
            try await task.value
            #expect(watcher.statuses == [.pendingPayment, .cancelled])
        }
    }

    @Test("Another customer's order is NOT_FOUND, exactly like no order; an empty id is INVALID_ARGUMENT")
    func privacy() async throws {
        try await HistoryHarness.with { shop in
            let order = try await shop.placeOrder(for: "alice")
            let bob = TestPrincipalInterceptor.customer("bob")
            let foreign = await rpcError { try await Watcher.start(shop, order.id, as: bob).1.value }
            let missing = await rpcError { try await Watcher.start(shop, "ord_none", as: bob).1.value }
            #expect(foreign?.code == .notFound)
            #expect(missing?.code == .notFound)
            #expect(foreign?.message == "order \(order.id) not found")
            #expect(missing?.message == "order ord_none not found")
            await expectRPCError(.invalidArgument) { try await Watcher.start(shop, "", as: bob).1.value }
            await expectRPCError(.unauthenticated) { try await Watcher.start(shop, order.id, as: [:]).1.value }
        }
    }

    @Test("100 watchers of one order all see every change, in order")
    func hundredWatchers() async throws {
        try await HistoryHarness.with { shop in
            let order = try await shop.placeOrder(for: "alice")
            let callers = (0..<100).map { $0 % 10 == 0 ? TestPrincipalInterceptor.admin() : Self.alice }
            let watchers = callers.map { Watcher.start(shop, order.id, as: $0) }
            try #require(await eventually { watchers.allSatisfy { $0.0.statuses.count == 1 } })
            try await shop.confirm(order.id)
            try await shop.advance(order.id, to: .shipped)
            try await shop.advance(order.id, to: .delivered)
            for (watcher, task) in watchers {
                try await task.value
                #expect(watcher.statuses == [.pendingPayment, .confirmed, .shipped, .delivered])
            }
        }
    }

    @Test("Watchers that never read do not hold up ConfirmOrder or AbandonOrder")
    func neverReadingWatchers() async throws {
        try await HistoryHarness.with { shop in
            let confirmed = try await shop.placeOrder(for: "alice")
            let abandoned = try await shop.placeOrder(for: "alice")
            let idle = [confirmed.id, abandoned.id].flatMap { id in
                (0..<50).map { _ in Self.neverReading(shop, id) }
            }
            try #require(await eventually { shop.module.orderLedger.feed.hub.subscriberCount == idle.count })
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                try await shop.confirm(confirmed.id)
                try await shop.advance(confirmed.id, to: .shipped)
                try await shop.advance(confirmed.id, to: .delivered)
                try await shop.abandon(abandoned.id)
            }
            #expect(elapsed < .seconds(5))
            #expect(try await shop.ledger.lookupOrder(.init(orderId: confirmed.id)).status == .delivered)
            #expect(try await shop.ledger.lookupOrder(.init(orderId: abandoned.id)).status == .cancelled)
            for task in idle { task.cancel() }
            try #require(await eventually { shop.module.orderLedger.feed.hub.subscriberCount == 0 })
        }
    }

    @Test("Thousands of idle watchers do not materially slow a burst of status changes")
    func thousandsOfIdleWatchers() async throws {
        try await HistoryHarness.with { shop in
            let burstSize = 300
            let clock = ContinuousClock()
            func burst() async throws -> Duration {
                let orders = try await (0..<burstSize).asyncMap { _ in try await shop.placeOrder(for: "alice") }
                return try await clock.measure {
                    for order in orders {
                        try await shop.confirm(order.id)
                        try await shop.advance(order.id, to: .shipped)
                    }
                }
            }
            _ = try await burst()
            let quiet = try await burst()

            let watched = try await (0..<2_000).asyncMap { _ in try await shop.placeOrder(for: "alice") }
            let idle = watched.map { Self.neverReading(shop, $0.id) }
            let hub = shop.module.orderLedger.feed.hub
            try #require(await eventually(timeout: .seconds(60)) { hub.subscriberCount == watched.count })
            let crowded = try await burst()
            #expect(crowded < quiet * 3 + .milliseconds(250), "burst without watchers \(quiet), with 2,000: \(crowded)")

            for task in idle { task.cancel() }
            try #require(await eventually(timeout: .seconds(60)) { hub.subscriberCount == 0 })
        }
    }

    /// A WatchOrder call that stays open, its responses never read, until
    /// its task is cancelled.
    static func neverReading(_ shop: HistoryHarness, _ orderID: String) -> Task<Void, any Error> {
        Task {
            try await shop.history.watchOrder(.init(orderId: orderID), metadata: alice) { _ in
                try await Task.sleep(for: .seconds(3_600))
            }
        }
    }
}

extension Sequence {
    /// `map` with an async transform, one element at a time.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
