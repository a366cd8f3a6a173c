import BigShopStore
import Synchronization

/// The in-memory fan-out of committed status changes to the watchers of
/// each order.
///
/// ``OrderStore`` publishes every status change right after its transaction
/// commits; ``OrderEventFeed`` subscribes one mailbox per watcher. Publishing
/// never waits for a watcher and costs O(watchers of that order): watchers
/// are indexed by order id, behind lock-striped shards so that publishers of
/// different orders rarely contend, and each mailbox is bounded
/// (``OrderEventSubscription``), so thousands of idle or slow watchers cost
/// writers nothing.
///
/// With several replicas on one PostgreSQL database, each replica's hub also
/// hears, through a ``DatabaseListener``, the ``OrderEventNotice`` every
/// committed change sends, and passes it to the watchers of that order as a
/// hint to read the new events from the database (``receive(_:)``).
///
/// The hub promises no cross-publisher ordering: two writers returning from
/// their commits may publish in either order. Watchers restore commit order
/// themselves from each event's per-order `seq` (see ``OrderEventFeed``).
final class OrderEventHub: Sendable {
    private struct ShardState {
        var watchers: [String: [ObjectIdentifier: OrderEventSubscription]] = [:]
        var closed = false
    }

    private final class Shard: Sendable {
        let state = Mutex(ShardState())
    }

    private let shards: [Shard]
    private let bufferCapacity: Int

    /// - Parameters:
    ///   - bufferCapacity: events buffered per watcher before it must resync.
    init(bufferCapacity: Int, shardCount: Int = 64) {
        precondition(bufferCapacity >= 1 && shardCount >= 1)
        self.bufferCapacity = bufferCapacity
        self.shards = (0..<shardCount).map { _ in Shard() }
    }

    /// A new mailbox for the events of `orderID` published from now on
    /// (already closed if the hub is). Pair it with ``unsubscribe(_:)``.
    func subscribe(to orderID: String) -> OrderEventSubscription {
        let subscription = OrderEventSubscription(orderID: orderID, capacity: bufferCapacity)
        let added = shard(of: orderID).state.withLock { state in
            guard !state.closed else { return false }
            state.watchers[orderID, default: [:]][ObjectIdentifier(subscription)] = subscription
            return true
        }
        if !added { subscription.close() }
        return subscription
    }

    /// Removes and cancels `subscription`. Idempotent.
    func unsubscribe(_ subscription: OrderEventSubscription) {
        let orderID = subscription.orderID
        shard(of: orderID).state.withLock { state in
            state.watchers[orderID]?[ObjectIdentifier(subscription)] = nil
            if state.watchers[orderID]?.isEmpty == true { state.watchers[orderID] = nil }
        }
        subscription.cancel()
    }

    /// Hands a committed event to every watcher of its order. Never waits.
    func publish(_ event: OrderStatusEvent) {
        let targets = shard(of: event.orderID).state.withLock { state in
            state.watchers[event.orderID].map { Array($0.values) } ?? []
        }
        for subscription in targets { subscription.offer(event) }
    }

    /// Tells the watchers of `orderID` that another replica committed its
    /// events up to `seq`, so that they read what they have not sent yet.
    /// Never waits.
    func committedElsewhere(orderID: String, seq: Int64) {
        let targets = shard(of: orderID).state.withLock { state in
            state.watchers[orderID].map { Array($0.values) } ?? []
        }
        for subscription in targets { subscription.offerCommittedElsewhere(seq: seq) }
    }

    /// Tells every watcher to re-read its order's events after the last one
    /// it sent: notifications from other replicas may have been lost.
    func resynchronizeAll() {
        for shard in shards {
            let watchers = shard.state.withLock { $0.watchers.values.flatMap(\.values) }
            for subscription in watchers { subscription.resynchronize() }
        }
    }

    /// Hands a notice from the database listener (``OrderEventNotice``) on.
    func receive(_ notification: DatabaseNotification) {
        switch notification {
        case .payload(let payload):
            switch OrderEventNotice(payload: payload) {
            case .changed(let orderID, let seq): committedElsewhere(orderID: orderID, seq: seq)
            case .anyOrder: resynchronizeAll()
            case nil: break
            }
        case .resumed:
            resynchronizeAll()
        }
    }

    /// Ends every subscription with ``OrderEventSubscription/Delivery/closed``
    /// and every later one at once: the service is shutting down.
    func close() {
        for shard in shards {
            let watchers = shard.state.withLock { state in
                state.closed = true
                defer { state.watchers = [:] }
                return state.watchers.values.flatMap(\.values)
            }
            for subscription in watchers { subscription.close() }
        }
    }

    /// The number of live subscriptions, for tests and metrics.
    var subscriberCount: Int {
        shards.reduce(0) { total, shard in
            total + shard.state.withLock { $0.watchers.values.reduce(0) { $0 + $1.count } }
        }
    }

    private func shard(of orderID: String) -> Shard {
        shards[Int(UInt(bitPattern: orderID.hashValue) % UInt(shards.count))]
    }
}
