/// Counters of a ``Database`` since it was opened, for tests and monitoring.
public struct DatabaseMetrics: Sendable, Hashable {
    /// Transactions committed by ``Database/write(_:)`` and ``Database/writeBatched(_:)``
    /// (one per group commit) and by ``Migrator`` (one per migration).
    public var committedTransactions: Int
    /// Group-commit batches executed by the writer (including batches of one).
    public var batches: Int
    /// `writeBatched` bodies executed (successful or not).
    public var batchedWrites: Int
    /// The largest number of bodies in one batch.
    public var largestBatch: Int
}
