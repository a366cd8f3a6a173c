import BigShopFlashSaleAPI
import Foundation
import Synchronization
import Testing

@testable import BigShopGateway

/// WatchDrop callers served from a gate's feed come and go while updates
/// arrive. A caller's stream that ends (deadline, CANCEL, disconnect) runs
/// its termination handler inside the task's cancellation, which takes the
/// gate's lock; an update broadcast under that lock deadlocked with it and
/// froze the whole server (found by an outside test).
@Suite(.timeLimit(.minutes(1)))
struct CampaignGateWatcherTests {
    @Test func watchersCancelledWhileUpdatesArriveNeverDeadlock() async throws {
        let gate = CampaignGate(
            campaignID: "c1", settings: DropAdmissionSettings(), metrics: AdmissionMetrics(), clockMs: { 0 }, now: .now)
        let updates = Atomic(0)
        let cancelled = Atomic(0)
        let stop = Atomic(false)
        let deadline = ContinuousClock.now + .seconds(2)

        // The feed and the cancellations on threads of their own, not on
        // Swift's pool: a deadlock then stalls them alone, and the test
        // sees their counters stop instead of hanging.
        let feed = Thread {
            var remaining: Int32 = 0
            while !stop.load(ordering: .relaxed) {
                remaining = (remaining + 1) % 100
                gate.received(.init(drop: .init(campaignId: "c1", remaining: remaining), atMs: 1, open: true))
                updates.add(1, ordering: .relaxed)
                // A few thousand updates a second: flat out, the watchers'
                // wake-ups would starve Swift's pool for the suites alongside.
                usleep(200)
            }
        }
        let finished = FinishedCount()
        let watchers = Thread {
            while !stop.load(ordering: .relaxed) {
                let tasks = (0..<8).compactMap { _ in
                    gate.updates().map { stream in
                        Task {
                            for await _ in stream {}
                            finished.value.add(1, ordering: .relaxed)
                        }
                    }
                }
                for task in tasks { task.cancel() }
                let total = cancelled.add(tasks.count, ordering: .relaxed).newValue
                // At most one batch alive at a time: thousands of live tasks
                // would swell the process for the suites beside this one.
                while finished.value.load(ordering: .relaxed) < total, !stop.load(ordering: .relaxed) { usleep(100) }
            }
        }
        feed.start()
        watchers.start()
        try await Task.sleep(until: deadline)
        let (updatesBefore, cancelledBefore) = (updates.load(ordering: .relaxed), cancelled.load(ordering: .relaxed))
        try await Task.sleep(for: .milliseconds(500))
        let (updatesAfter, cancelledAfter) = (updates.load(ordering: .relaxed), cancelled.load(ordering: .relaxed))
        stop.store(true, ordering: .relaxed)

        // Both threads still make progress after 3 s of racing.
        #expect(updatesAfter > updatesBefore, "the feed stopped at \(updatesBefore) updates")
        #expect(cancelledAfter > cancelledBefore, "cancellations stopped at \(cancelledBefore)")
        #expect(cancelledAfter > 100)
    }

    /// Watcher tasks that ended, shared with them.
    final class FinishedCount: Sendable {
        let value = Atomic(0)
    }
}
