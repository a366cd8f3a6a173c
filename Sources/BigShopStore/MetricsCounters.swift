import Synchronization

/// Lock-free counters updated by the writer thread and read by anyone.
final class MetricsCounters: Sendable {
    let committedTransactions = Atomic<Int>(0)
    let batches = Atomic<Int>(0)
    let batchedWrites = Atomic<Int>(0)
    let largestBatch = Atomic<Int>(0)

    func recordCommit() {
        committedTransactions.add(1, ordering: .relaxed)
    }

    func recordBatch(size: Int) {
        batches.add(1, ordering: .relaxed)
        batchedWrites.add(size, ordering: .relaxed)
        // Only the writer thread records batches, so load-then-store cannot race.
        if size > largestBatch.load(ordering: .relaxed) {
            largestBatch.store(size, ordering: .relaxed)
        }
    }

    var snapshot: DatabaseMetrics {
        DatabaseMetrics(
            committedTransactions: committedTransactions.load(ordering: .relaxed),
            batches: batches.load(ordering: .relaxed),
            batchedWrites: batchedWrites.load(ordering: .relaxed),
            largestBatch: largestBatch.load(ordering: .relaxed))
    }
}
