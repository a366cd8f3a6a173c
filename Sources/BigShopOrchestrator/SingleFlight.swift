import Synchronization

/// Runs one flow per key at a time: a call for a key whose flow is running
/// waits for that flow's outcome instead of starting another. Used for
/// checkouts retried with the same idempotency key and holds repeated with
/// the same order id, so that only one flow ever drives a new order.
final class SingleFlight<Value: Sendable>: Sendable {
    private let flights = Mutex<[String: Task<Value, any Error>]>([:])
    private let tracker: TaskTracker

    init(tracker: TaskTracker) {
        self.tracker = tracker
    }

    /// The outcome of the running flow for `key`, or of `body` started now.
    func run(_ key: String, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = flights.withLock { flights in
            if let running = flights[key] { return running }
            let task = tracker.start(body)
            flights[key] = task
            return task
        }
        let result = await task.result
        flights.withLock { flights in
            if flights[key] == task { flights[key] = nil }
        }
        return try result.get()
    }
}
