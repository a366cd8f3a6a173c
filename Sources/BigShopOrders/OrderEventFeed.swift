import BigRPC
import Logging

/// One order's status changes for one watcher: its whole history oldest
/// first, then each change as it commits, until DELIVERED or CANCELLED.
///
/// 1. Subscribe to the ``OrderEventHub`` first, so nothing committed from
///    then on can be missed;
/// 2. replay the history from the database (NOT_FOUND if there is no such
///    order);
/// 3. stream live events, skipping those already sent (`seq` at or below the
///    last one sent).
///
/// Events reach a watcher strictly in `seq` order, each once. A live event
/// that skips ahead (publishers may publish out of commit order), and a
/// mailbox that overflowed while the watcher was slow, both make the feed
/// read what it is missing from the database — where every published event
/// already is — instead of waiting or failing. A slow watcher therefore
/// costs the writers nothing and still sees every change.
///
/// Other replicas' changes arrive as hints carrying a `seq`
/// (``OrderEventSubscription/Delivery/committedElsewhere(seq:)``): the feed
/// reads the events after the last one it sent, so a hint that arrives late,
/// twice or not at all (a later one, or the listener's resumption, covers it)
/// never reorders nor repeats an event.
struct OrderEventFeed: Sendable {
    let book: OrderStore
    let hub: OrderEventHub
    let logger: Logger

    /// Sends the events of `orderID` to `send` until the final one; throws
    /// NOT_FOUND if there is no such order, `CancellationError` when the
    /// calling task is cancelled, and UNAVAILABLE when the hub closes.
    func run(orderID: String, send: (OrderStatusEvent) async throws -> Void) async throws {
        let subscription = hub.subscribe(to: orderID)
        defer { hub.unsubscribe(subscription) }
        guard let history = try await book.events(ofOrder: orderID, after: 0) else {
            throw OrderStore.notFound(orderID)
        }
        var lastSent: Int64 = 0
        var batch = history
        while true {
            for event in batch where event.seq > lastSent {
                try await send(event)
                lastSent = event.seq
                if event.status.isFinal { return }
            }
            switch await subscription.next() {
            case .event(let event) where event.seq <= lastSent:
                batch = []
            case .event(let event) where event.seq == lastSent + 1:
                batch = [event]
            case .event:
                batch = try await missed(orderID, after: lastSent)
            case .committedElsewhere(let seq) where seq <= lastSent:
                batch = []
            case .committedElsewhere:
                batch = try await missed(orderID, after: lastSent)
            case .missedEvents:
                logger.debug("order watcher resynchronizing from the database", metadata: ["order-id": "\(orderID)"])
                batch = try await missed(orderID, after: lastSent)
            case .cancelled:
                throw CancellationError()
            case .closed:
                throw RPCError(.unavailable, "the orders service is shutting down")
            }
        }
    }

    private func missed(_ orderID: String, after seq: Int64) async throws -> [OrderStatusEvent] {
        try await book.events(ofOrder: orderID, after: seq) ?? []
    }
}
