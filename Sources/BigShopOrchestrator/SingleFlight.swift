import BigShopServiceKit
import Synchronization

/// Runs one flow per key at a time: a call for a key whose flow is running
/// waits for that flow's outcome instead of starting another. Used for
/// checkouts retried with the same idempotency key and holds repeated with
/// the same order id, so that only one flow ever drives a new order.
final class SingleFlight<Value: Sendable>: Sendable {
    /// The callers waiting for each running flow.
    private let waiting = Mutex<[String: [CheckedContinuation<Value, any Error>]]>([:])
    private let work: ServiceWork

    init(work: ServiceWork) {
        self.work = work
    }

    /// The outcome of the running flow for `key`, or of `body` started now
    /// as work of the service.
    func run(_ key: String, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let leads = waiting.withLock { waiting in
                defer { waiting[key, default: []].append(continuation) }
                return waiting[key] == nil
            }
            guard leads else { return }
            let started = work.start {
                let result: Result<Value, any Error>
                do {
                    result = .success(try await body())
                } catch {
                    result = .failure(error)
                }
                self.finish(key, result)
            }
            if !started { finish(key, .failure(ServiceWork.stopped)) }
        }
    }

    private func finish(_ key: String, _ result: Result<Value, any Error>) {
        let waiters = waiting.withLock { $0.removeValue(forKey: key) ?? [] }
        for waiter in waiters { waiter.resume(with: result) }
    }
}
