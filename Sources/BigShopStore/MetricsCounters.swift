import Metrics
import Synchronization

/// Lock-free counters updated by the writer thread and read by anyone, and
/// the same exported through swift-metrics, labelled with the database's
/// name (docs/OPERATIONS.md, "Metrics"):
///
/// - `bigshop_db_commits_total{database}`: transactions committed;
/// - `bigshop_db_batch_size{database}`: bodies per group-commit batch (histogram);
/// - `bigshop_db_commit_seconds{database}`: how long the writer took for a
///   transaction, `BEGIN` to `COMMIT` returned (the fsync included).
final class MetricsCounters: Sendable {
    let committedTransactions = Atomic<Int>(0)
    let batches = Atomic<Int>(0)
    let batchedWrites = Atomic<Int>(0)
    let largestBatch = Atomic<Int>(0)
    private let commits: Counter
    private let batchSize: Recorder
    private let commitTime: Timer

    init(database: String) {
        let labels = [("database", database)]
        commits = Counter(label: "bigshop_db_commits_total", dimensions: labels)
        batchSize = Recorder(label: "bigshop_db_batch_size", dimensions: labels)
        commitTime = Timer(label: "bigshop_db_commit_seconds", dimensions: labels, preferredDisplayUnit: .seconds)
    }

    func recordCommit() {
        committedTransactions.add(1, ordering: .relaxed)
        commits.increment()
    }

    /// Records the time of a transaction the writer committed, started at `start`.
    func recordCommitTime(since start: ContinuousClock.Instant) {
        commitTime.recordNanoseconds((ContinuousClock.now - start).nanosecondsClamped)
    }

    func recordBatch(size: Int) {
        batchSize.record(size)
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

extension Duration {
    /// Whole nanoseconds, saturated to `Int64`.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled + attoseconds / 1_000_000_000
    }
}
