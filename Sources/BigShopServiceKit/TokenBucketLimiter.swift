import Synchronization

/// Rate limiting with one token bucket per key (a user, an address, an
/// address and email): each call takes a token; tokens refill at a steady
/// rate up to a burst.
///
/// Keys are spread over lock-striped shards, so callers for different keys
/// rarely contend. Memory is bounded whatever the keys: buckets that have
/// been full and untouched for a while are dropped (they hold no
/// information), and at most `maxKeys` buckets are kept. When a flood of new
/// keys (random addresses, say) fills a shard with buckets still refilling,
/// the least recently used half of that shard is forgotten: those keys start
/// again with a full bucket. That fails open for the forgotten keys, which is
/// the right side to fail on for a limiter; failing closed would refuse every
/// newcomer.
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

    /// The default ``maxKeys``: about 6 MiB of buckets at most per limiter.
    public static let defaultMaxKeys = 65_536

    /// Tokens added per second.
    public let perSecond: Double
    /// The most tokens a bucket holds.
    public let burst: Double
    /// The most buckets kept (rounded up to a multiple of the shard count).
    public let maxKeys: Int
    private let shards: [Shard]
    private let keysPerShard: Int
    private let now: @Sendable () -> ContinuousClock.Instant

    /// - Parameters:
    ///   - perSecond: tokens regained per second, > 0.
    ///   - burst: the most tokens a bucket holds, ≥ 1.
    ///   - maxKeys: the most buckets kept at once; see the type's discussion.
    ///   - now: the time source; tests inject their own.
    public init(
        perSecond: Double,
        burst: Double,
        shardCount: Int = 32,
        maxKeys: Int = defaultMaxKeys,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        precondition(perSecond > 0 && burst >= 1, "a bucket must refill and hold at least one token")
        let shardCount = max(1, shardCount)
        self.perSecond = perSecond
        self.burst = burst
        self.keysPerShard = max(2, (max(1, maxKeys) + shardCount - 1) / shardCount)
        self.maxKeys = keysPerShard * shardCount
        self.shards = (0..<shardCount).map { _ in Shard() }
        self.now = now
    }

    /// Takes one token for `key`. Returns nil when the call may proceed, or
    /// how long until a token is available.
    public func admit(_ key: String) -> Duration? {
        let now = self.now()
        return shard(of: key).state.withLock { state in
            var bucket = refilled(state.buckets[key], now: now)
            defer { sweepIfDue(&state, now: now) }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                store(bucket, for: key, in: &state, now: now)
                return nil
            }
            store(bucket, for: key, in: &state, now: now)
            return wait(for: bucket)
        }
    }

    /// How long until `key` would be admitted, without taking a token: nil if
    /// a call would proceed now. Tracks nothing new.
    public func retryAfter(_ key: String) -> Duration? {
        let now = self.now()
        return shard(of: key).state.withLock { state in
            guard let stored = state.buckets[key] else { return nil }
            let bucket = refilled(stored, now: now)
            return bucket.tokens >= 1 ? nil : wait(for: bucket)
        }
    }

    /// The number of keys tracked (for tests and metrics).
    public var trackedKeys: Int {
        shards.reduce(0) { total, shard in total + shard.state.withLock { $0.buckets.count } }
    }

    private func shard(of key: String) -> Shard {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }

    private func refilled(_ stored: Bucket?, now: ContinuousClock.Instant) -> Bucket {
        guard var bucket = stored else { return Bucket(tokens: burst, updated: now) }
        bucket.tokens = min(burst, bucket.tokens + seconds(now - bucket.updated) * perSecond)
        bucket.updated = now
        return bucket
    }

    private func wait(for bucket: Bucket) -> Duration {
        // At most 1 / perSecond: finite, since perSecond > 0.
        let milliseconds = ((1 - bucket.tokens) / perSecond * 1000).rounded(.up)
        return .milliseconds(Int64(min(milliseconds, 1e15)))
    }

    /// Stores `bucket`, first making room if `key` is new and its shard full.
    private func store(_ bucket: Bucket, for key: String, in state: inout ShardState, now: ContinuousClock.Instant) {
        if state.buckets.count >= keysPerShard, state.buckets[key] == nil {
            makeRoom(&state, now: now)
        }
        state.buckets[key] = bucket
    }

    /// Drops the buckets that are full by now; if that frees less than a
    /// quarter of the shard, also the least recently used ones down to half.
    /// Linear (plus a sort), but then the next quarter of the shard's new
    /// keys insert without it: amortized O(log n) per new key.
    private func makeRoom(_ state: inout ShardState, now: ContinuousClock.Instant) {
        let refillTime = burst / perSecond
        state.buckets = state.buckets.filter { seconds(now - $0.value.updated) < refillTime }
        state.lastSweep = now
        guard state.buckets.count > keysPerShard * 3 / 4 else { return }
        let byAge = state.buckets.sorted { $0.value.updated < $1.value.updated }
        for (key, _) in byAge.prefix(state.buckets.count - keysPerShard / 2) {
            state.buckets[key] = nil
        }
    }

    /// Drops buckets that would be full by now (they hold no information),
    /// at most once per refill time per shard, and only once the shard has
    /// grown: the sweep is linear, so it must not run on every call.
    private func sweepIfDue(_ state: inout ShardState, now: ContinuousClock.Instant) {
        guard state.buckets.count > min(1024, keysPerShard / 2) else { return }
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
