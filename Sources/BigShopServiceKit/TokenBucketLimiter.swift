import Synchronization

/// Rate limiting with one token bucket per key (a user, an address, an
/// address and email): each call takes a token; tokens refill at a steady
/// rate up to a burst.
///
/// Keys are spread over lock-striped shards, so callers for different keys
/// rarely contend, and buckets that have been full and untouched for a while
/// are dropped, so memory stays bounded by the active keys.
public final class TokenBucketLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private struct ShardState {
        var buckets: [String: Bucket] = [:]
        /// When idle buckets were last dropped.
        var lastSweep: ContinuousClock.Instant?
    }

    private final class Shard: Sendable {
        let state = Mutex(ShardState())
    }

    /// Tokens added per second.
    public let perSecond: Double
    /// The most tokens a bucket holds.
    public let burst: Double
    private let shards: [Shard]
    private let now: @Sendable () -> ContinuousClock.Instant

    /// - Parameters:
    ///   - now: the time source; tests inject their own.
    public init(
        perSecond: Double,
        burst: Double,
        shardCount: Int = 32,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        precondition(perSecond > 0 && burst >= 1, "a bucket must refill and hold at least one token")
        self.perSecond = perSecond
        self.burst = burst
        self.shards = (0..<max(1, shardCount)).map { _ in Shard() }
        self.now = now
    }

    /// Takes one token for `key`. Returns nil when the call may proceed, or
    /// how long until a token is available.
    public func admit(_ key: String) -> Duration? {
        let shard = shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
        let now = self.now()
        return shard.state.withLock { state in
            var bucket = state.buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            bucket.tokens = min(burst, bucket.tokens + seconds(elapsed) * perSecond)
            bucket.updated = now
            defer { sweepIfDue(&state, now: now) }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                state.buckets[key] = bucket
                return nil
            }
            state.buckets[key] = bucket
            let wait = (1 - bucket.tokens) / perSecond
            return .milliseconds(Int64((wait * 1000).rounded(.up)))
        }
    }

    /// The number of keys tracked (for tests and metrics).
    public var trackedKeys: Int {
        shards.reduce(0) { total, shard in total + shard.state.withLock { $0.buckets.count } }
    }

    /// Drops buckets that would be full by now (they hold no information),
    /// at most once per refill time per shard, and only once the shard has
    /// grown: the sweep is linear, so it must not run on every call.
    private func sweepIfDue(_ state: inout ShardState, now: ContinuousClock.Instant) {
        guard state.buckets.count > 1024 else { return }
        let refillTime = burst / perSecond
        if let last = state.lastSweep, seconds(now - last) < refillTime { return }
        state.lastSweep = now
        state.buckets = state.buckets.filter { seconds(now - $0.value.updated) < refillTime }
    }

    private func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
