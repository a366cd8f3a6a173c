/// The `PRAGMA synchronous` setting of the writer connection.
///
/// In WAL mode:
/// - ``normal`` (the default) syncs the WAL only at checkpoints, not at every commit. A
///   committed transaction survives a crash of the process (including `kill -9`), because
///   the WAL pages are already in the operating system's page cache. A power loss or kernel
///   crash can lose the most recent transactions (never corrupt the database).
/// - ``full`` syncs the WAL at every commit, so a transaction that `write` reported as
///   committed also survives power loss, at the cost of one `fsync` per commit. Use it for
///   durability-critical data (payments, orders), ideally with ``Database/writeBatched(_:)``
///   so that one `fsync` covers a whole batch.
public enum SynchronousMode: String, Sendable, Hashable, CaseIterable {
    /// `PRAGMA synchronous=NORMAL`: durable across process crashes, not power loss.
    case normal = "NORMAL"
    /// `PRAGMA synchronous=FULL`: durable across power loss, one fsync per commit.
    case full = "FULL"
}
