import Synchronization

/// Counts each customer's reservations per drop, to enforce a per-customer limit.
///
/// Counts live in independently locked shards chosen by a hash of
/// (customer, drop). Every call locks one shard at a time, for a few dictionary
/// operations, and never holds two locks at once: customers in different shards
/// never wait for each other, and there is no global lock to queue behind.
public final class CustomerLimits: Sendable {
    /// One customer's count for one drop, as given to ``reset(to:)``.
    public typealias Entry = (customer: String, drop: Int, count: Int)

    private let shards: [Shard]

    /// Creates an empty table.
    ///
    /// - Parameter shardCount: The number of independently locked shards. Two
    ///   calls contend only when their keys hash to the same shard.
    /// - Precondition: `shardCount > 0`.
    public init(shardCount: Int = 64) {
        precondition(shardCount > 0, "CustomerLimits needs at least one shard, got \(shardCount)")
        shards = (0..<shardCount).map { _ in Shard() }
    }

    /// Counts one more reservation for `customer` in `drop` if that keeps the
    /// count at or below `limit`.
    ///
    /// - Returns: `true` if the count was incremented, `false` if the customer
    ///   already has `limit` reservations in this drop.
    public func tryAcquire(customer: String, drop: Int, limit: Int) -> Bool {
        shard(customer: customer, drop: drop).counts.withLock { counts in
            let current = counts[customer, drop]
            guard current < limit else { return false }
            counts[customer, drop] = current + 1
            return true
        }
    }

    /// Counts one reservation less for `customer` in `drop`, for example when a
    /// hold expires or is cancelled.
    ///
    /// - Returns: `false`, changing nothing, if the count was already zero.
    @discardableResult
    public func release(customer: String, drop: Int) -> Bool {
        shard(customer: customer, drop: drop).counts.withLock { counts in
            let current = counts[customer, drop]
            guard current > 0 else { return false }
            counts[customer, drop] = current - 1
            return true
        }
    }

    /// The number of reservations `customer` holds in `drop`.
    public func count(customer: String, drop: Int) -> Int {
        shard(customer: customer, drop: drop).counts.withLock { $0[customer, drop] }
    }

    /// Replaces every count with `entries`, for rebuilding the table after a restart.
    ///
    /// Counts of entries with the same customer and drop add up. Each shard
    /// switches to its new contents atomically, but not all shards at the same
    /// instant: call this before serving traffic.
    /// - Precondition: every entry's `count` is zero or more.
    public func reset(to entries: [Entry]) {
        var rebuilt = Array(repeating: Counts(), count: shards.count)
        for entry in entries {
            precondition(entry.count >= 0, "negative count \(entry.count) for \(entry.customer) in drop \(entry.drop)")
            rebuilt[shardIndex(customer: entry.customer, drop: entry.drop)][entry.customer, entry.drop] += entry.count
        }
        for (shard, counts) in zip(shards, rebuilt) {
            shard.counts.withLock { $0 = counts }
        }
    }

    /// Forgets every count of the drops numbered below `drop`, to keep memory
    /// bounded over a campaign.
    public func removeDrops(before drop: Int) {
        for shard in shards {
            shard.counts.withLock { counts in
                counts.byDrop = counts.byDrop.filter { $0.key >= drop }
            }
        }
    }

    private func shard(customer: String, drop: Int) -> Shard {
        shards[shardIndex(customer: customer, drop: drop)]
    }

    private func shardIndex(customer: String, drop: Int) -> Int {
        var hasher = Hasher()
        hasher.combine(customer)
        hasher.combine(drop)
        return Int(UInt(bitPattern: hasher.finalize()) % UInt(shards.count))
    }
}

extension CustomerLimits {
    private final class Shard: Sendable {
        let counts = Mutex(Counts())
    }

    /// The counts of one shard, by drop then customer. Only positive counts are
    /// stored, so a drop's table disappears with its last reservation.
    private struct Counts {
        var byDrop: [Int: [String: Int]] = [:]

        subscript(customer: String, drop: Int) -> Int {
            get { byDrop[drop]?[customer] ?? 0 }
            set {
                if newValue > 0 {
                    byDrop[drop, default: [:]][customer] = newValue
                } else {
                    byDrop[drop]?[customer] = nil
                    if byDrop[drop]?.isEmpty == true {
                        byDrop[drop] = nil
                    }
                }
            }
        }
    }
}
