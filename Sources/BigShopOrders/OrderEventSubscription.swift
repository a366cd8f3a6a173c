import Synchronization

/// One watcher's mailbox on the ``OrderEventHub``: a bounded buffer the hub
/// fills without ever waiting, and the watcher (a single task) drains at its
/// own pace with ``next()``.
///
/// When the buffer is full the hub does not wait and does not grow it: it
/// drops what is buffered and flags the mailbox instead, and the watcher's
/// next ``next()`` answers ``Delivery/missedEvents``, telling it to read what it
/// missed from the database (every published event was committed first).
///
/// Changes committed by other replicas arrive as hints, not events
/// (``offerCommittedElsewhere(seq:)``): the mailbox keeps only the highest
/// `seq` hinted, so a burst of them costs the watcher one database read.
final class OrderEventSubscription: Sendable {
    /// What a watcher finds in its mailbox.
    enum Delivery: Sendable, Hashable {
        /// The next event published for the order.
        case event(OrderStatusEvent)
        /// Events were dropped because the buffer was full, or the replica
        /// may have missed notifications from the others: resynchronize from
        /// the database.
        case missedEvents
        /// Another replica committed the order's events up to `seq` at
        /// least: read those not sent yet from the database.
        case committedElsewhere(seq: Int64)
        /// The subscription was cancelled (or the watching task was).
        case cancelled
        /// The hub closed: the service is shutting down.
        case closed
    }

    private struct State {
        var buffer: [OrderStatusEvent] = []
        var missedEvents = false
        /// The highest `seq` another replica announced and the watcher has
        /// not been told about.
        var committedElsewhere: Int64?
        /// The highest `seq` of the events offered: hints at or below it are
        /// already covered (the watcher gets that event, or reads up to it
        /// when it skips ahead).
        var highestOffered: Int64 = 0
        /// How the subscription ended, once it has.
        var end: Delivery?
        /// The watcher, parked in ``next()`` on an empty buffer.
        var waiter: CheckedContinuation<Delivery, Never>?
    }

    /// The order watched.
    let orderID: String
    private let capacity: Int
    private let state = Mutex(State())

    init(orderID: String, capacity: Int) {
        precondition(capacity >= 1)
        self.orderID = orderID
        self.capacity = capacity
    }

    /// Hands `event` to the watcher, or buffers it; never waits. O(1).
    func offer(_ event: OrderStatusEvent) {
        let waiter: CheckedContinuation<Delivery, Never>? = state.withLock { state in
            guard state.end == nil else { return nil }
            state.highestOffered = max(state.highestOffered, event.seq)
            if let waiter = state.waiter {
                // A parked watcher means an empty buffer and nothing missed.
                state.waiter = nil
                return waiter
            }
            if state.buffer.count < capacity {
                state.buffer.append(event)
            } else {
                state.buffer.removeAll(keepingCapacity: true)
                state.missedEvents = true
            }
            return nil
        }
        waiter?.resume(returning: .event(event))
    }

    /// Tells the watcher that another replica committed the order's events
    /// up to `seq`, unless an event offered here already covers it; never
    /// waits, and coalesces with hints not yet taken. O(1).
    func offerCommittedElsewhere(seq: Int64) {
        let waiter: CheckedContinuation<Delivery, Never>? = state.withLock { state in
            guard state.end == nil, seq > state.highestOffered, seq > state.committedElsewhere ?? 0 else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.committedElsewhere = seq
            return nil
        }
        waiter?.resume(returning: .committedElsewhere(seq: seq))
    }

    /// Tells the watcher to re-read everything after what it sent (the
    /// replica may have missed notifications): ``Delivery/missedEvents``.
    func resynchronize() {
        let waiter: CheckedContinuation<Delivery, Never>? = state.withLock { state in
            guard state.end == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.missedEvents = true
            return nil
        }
        waiter?.resume(returning: .missedEvents)
    }

    /// The next delivery, waiting for one if the mailbox is empty. Returns
    /// ``Delivery/cancelled`` when the calling task is cancelled, and the
    /// ending for good once the subscription has ended.
    func next() async -> Delivery {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Delivery, Never>) in
                let ready: Delivery? = state.withLock { state in
                    if let end = state.end { return end }
                    if state.missedEvents {
                        // The re-read covers the buffer and any hint too.
                        state.missedEvents = false
                        state.committedElsewhere = nil
                        state.buffer.removeAll(keepingCapacity: true)
                        return .missedEvents
                    }
                    if !state.buffer.isEmpty { return .event(state.buffer.removeFirst()) }
                    if let seq = state.committedElsewhere {
                        state.committedElsewhere = nil
                        return .committedElsewhere(seq: seq)
                    }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Stops deliveries: a parked watcher wakes with ``Delivery/cancelled``,
    /// and later offers are ignored. Idempotent.
    func cancel() {
        end(with: .cancelled)
    }

    /// Like ``cancel()``, telling the watcher the service is shutting down:
    /// ``Delivery/closed``.
    func close() {
        end(with: .closed)
    }

    private func end(with ending: Delivery) {
        let waiter: CheckedContinuation<Delivery, Never>? = state.withLock { state in
            guard state.end == nil else { return nil }
            state.end = ending
            state.buffer = []
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: ending)
    }
}
