import BigShopOrdersAPI
import Testing

@testable import BigShopOrders

@Suite("OrderEventHub")
struct OrderEventHubTests {
    static func event(_ orderID: String, _ seq: Int64) -> OrderStatusEvent {
        OrderStatusEvent(orderID: orderID, seq: seq, status: .confirmed, atMs: seq, reason: "")
    }

    @Test("An event reaches the watchers of its order only, until they unsubscribe")
    func routing() async {
        let hub = OrderEventHub(bufferCapacity: 8)
        let first = hub.subscribe(to: "a")
        let second = hub.subscribe(to: "a")
        let other = hub.subscribe(to: "b")
        #expect(hub.subscriberCount == 3)
        hub.publish(Self.event("a", 1))
        #expect(await first.next() == .event(Self.event("a", 1)))
        #expect(await second.next() == .event(Self.event("a", 1)))

        hub.unsubscribe(second)
        hub.unsubscribe(second)
        #expect(hub.subscriberCount == 2)
        #expect(await second.next() == .cancelled)
        hub.publish(Self.event("b", 7))
        #expect(await other.next() == .event(Self.event("b", 7)))
        hub.unsubscribe(first)
        hub.unsubscribe(other)
        #expect(hub.subscriberCount == 0)
    }

    @Test("A parked watcher wakes on the next event, and on cancellation")
    func parking() async {
        let hub = OrderEventHub(bufferCapacity: 8)
        let subscription = hub.subscribe(to: "a")
        let waiting = Task { await subscription.next() }
        try? await Task.sleep(for: .milliseconds(20))
        hub.publish(Self.event("a", 1))
        #expect(await waiting.value == .event(Self.event("a", 1)))

        let cancelled = Task { await subscription.next() }
        cancelled.cancel()
        #expect(await cancelled.value == .cancelled)
        hub.unsubscribe(subscription)
    }

    @Test("Closing the hub ends every watcher with .closed, and every later subscription at once")
    func closing() async {
        let hub = OrderEventHub(bufferCapacity: 8)
        let parked = hub.subscribe(to: "a")
        let waiting = Task { await parked.next() }
        let buffered = hub.subscribe(to: "b")
        hub.publish(Self.event("b", 1))
        hub.close()
        #expect(await waiting.value == .closed)
        #expect(await buffered.next() == .closed)
        #expect(hub.subscriberCount == 0)
        let late = hub.subscribe(to: "a")
        #expect(await late.next() == .closed)
        #expect(hub.subscriberCount == 0)
        hub.unsubscribe(late)
        #expect(await late.next() == .closed)
    }

    @Test("A watcher that never reads costs the publisher nothing: its mailbox overflows into one resync signal")
    func neverReading() async {
        let hub = OrderEventHub(bufferCapacity: 4)
        let idle = hub.subscribe(to: "a")
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for seq in 1...100_000 { hub.publish(Self.event("a", Int64(seq))) }
        }
        #expect(elapsed < .seconds(5))
        #expect(await idle.next() == .missedEvents)
        hub.publish(Self.event("a", 100_001))
        #expect(await idle.next() == .event(Self.event("a", 100_001)))
        hub.unsubscribe(idle)
    }

    @Test("Watchers of other orders do not slow publishing: O(watchers of the order)")
    func manyIdleWatchers() async {
        let hub = OrderEventHub(bufferCapacity: 4)
        let target = hub.subscribe(to: "target")
        let clock = ContinuousClock()
        func burst() -> Duration {
            clock.measure {
                for seq in 1...20_000 { hub.publish(Self.event("target", Int64(seq))) }
            }
        }
        let alone = burst()
        let idle = (0..<20_000).map { hub.subscribe(to: "order-\($0)") }
        let crowded = burst()
        #expect(crowded < alone * 5 + .milliseconds(200), "alone \(alone), with 20,000 idle watchers \(crowded)")
        for subscription in idle { hub.unsubscribe(subscription) }
        hub.unsubscribe(target)
        #expect(hub.subscriberCount == 0)
    }
    @Test("Other replicas' notices become hints: coalesced, skipped when an event covers them, resync on resumption")
    func noticesFromOtherReplicas() async {
        let hub = OrderEventHub(bufferCapacity: 8)
        let watcher = hub.subscribe(to: "a")
        let other = hub.subscribe(to: "b")
        hub.receive(.payload(OrderEventNotice.changed(orderID: "a", seq: 2).payload))
        hub.receive(.payload(OrderEventNotice.changed(orderID: "a", seq: 4).payload))
        hub.receive(.payload(OrderEventNotice.changed(orderID: "a", seq: 3).payload))
        hub.receive(.payload("not a notice"))
        #expect(await watcher.next() == .committedElsewhere(seq: 4))

        // A local event at or above a hint covers it.
        hub.publish(Self.event("a", 5))
        hub.receive(.payload(OrderEventNotice.changed(orderID: "a", seq: 5).payload))
        #expect(await watcher.next() == .event(Self.event("a", 5)))
        let parked = Task { await watcher.next() }
        try? await Task.sleep(for: .milliseconds(20))
        hub.receive(.payload(OrderEventNotice.changed(orderID: "a", seq: 6).payload))
        #expect(await parked.value == .committedElsewhere(seq: 6))

        // The listener resumed after losing its connection: every watcher re-reads.
        hub.receive(.payload(OrderEventNotice.changed(orderID: "a", seq: 7).payload))
        hub.receive(.resumed)
        #expect(await watcher.next() == .missedEvents)
        #expect(await other.next() == .missedEvents)
        hub.receive(.payload(OrderEventNotice.anyOrder.payload))
        #expect(await other.next() == .missedEvents)
        hub.unsubscribe(watcher)
        hub.unsubscribe(other)
    }

    @Test("Notices round-trip through their payload; an order id too long for PostgreSQL becomes 'any order'")
    func noticePayloads() {
        let notice = OrderEventNotice.changed(orderID: "ord:with:colons", seq: 12)
        #expect(OrderEventNotice(payload: notice.payload) == notice)
        #expect(OrderEventNotice(payload: "*") == .anyOrder)
        for bad in ["", "12", "x:ord", "0:ord", "-1:ord", "3:"] { #expect(OrderEventNotice(payload: bad) == nil) }
        let long = OrderStatusEvent(orderID: String(repeating: "o", count: 8_000), seq: 1, status: .confirmed, atMs: 0, reason: "")
        #expect(OrderEventNotice(long) == .anyOrder)
        #expect(OrderEventNotice(Self.event("a", 3)) == .changed(orderID: "a", seq: 3))
    }
}
