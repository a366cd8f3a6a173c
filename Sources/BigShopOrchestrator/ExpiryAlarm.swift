import BigShopServiceKit
import Synchronization

/// When the expiry scanner wakes: at the time it chose (the earliest payment
/// due, or its next periodic scan), or earlier when a saga starts awaiting a
/// payment due before that.
///
/// The scanner calls ``beginScan()``, reads the sagas, then
/// ``sleep(untilMs:clock:)``. A ``nudge(dueAtMs:)`` that arrives after
/// `beginScan` and before the sleep is kept, so none is lost in between.
final class ExpiryAlarm: Sendable {
    private struct Waiter {
        let id: UInt64
        let wakeAtMs: Int64
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        /// The earliest due time nudged since the scan began.
        var pendingMs = Int64.max
        var waiter: Waiter?
        var nextWaiterID: UInt64 = 0
        /// Waiters whose task was cancelled before they registered.
        var cancelledWaiters: Set<UInt64> = []
    }

    private let state = Mutex(State())

    /// A saga now awaits a payment due at `dueAtMs`.
    func nudge(dueAtMs: Int64) {
        let wake: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let waiter = state.waiter, dueAtMs < waiter.wakeAtMs {
                state.waiter = nil
                return waiter.continuation
            }
            state.pendingMs = min(state.pendingMs, dueAtMs)
            return nil
        }
        wake?.resume()
    }

    /// The scanner is about to read the sagas: nudges from now on are kept.
    func beginScan() {
        state.withLock { $0.pendingMs = .max }
    }

    /// Suspends until `clock` reaches `wakeAtMs` or a nudge comes for an
    /// earlier time. Throws `CancellationError` when the task is cancelled.
    func sleep(untilMs wakeAtMs: Int64, clock: any ShopClock) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await clock.sleep(untilMs: wakeAtMs) }
            group.addTask { try await self.waitForNudge(before: wakeAtMs) }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    private func waitForNudge(before wakeAtMs: Int64) async throws {
        let id = state.withLock { state in
            // Only the scanner sleeps, one sleep at a time: the cancellations
            // of earlier sleeps are stale.
            state.cancelledWaiters.removeAll()
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.cancelledWaiters.remove(id) != nil { return true }
                    if state.pendingMs < wakeAtMs {
                        state.pendingMs = .max
                        return true
                    }
                    state.waiter = Waiter(id: id, wakeAtMs: wakeAtMs, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let waiter = state.waiter, waiter.id == id else {
                    state.cancelledWaiters.insert(id)
                    return nil
                }
                state.waiter = nil
                return waiter
            }
            waiter?.continuation.resume()
        }
        try Task.checkCancellation()
    }
}
