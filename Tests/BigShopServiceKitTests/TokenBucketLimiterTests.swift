import BigShopServiceKit
import Testing

/// The limiter of BigShopServiceKit that the Login throttle and the gateway
/// share.
@Suite("TokenBucketLimiter")
struct TokenBucketLimiterTests {
    @Test func allowsTheBurstThenRefuses() {
        let time = ManualInstant()
        let limiter = TokenBucketLimiter(perSecond: 1, burst: 3, now: { time.now })
        for _ in 0..<3 { #expect(limiter.admit("k") == nil) }
        #expect(limiter.admit("k") != nil)
    }

    @Test func refillsAtItsRateUpToTheBurst() {
        let time = ManualInstant()
        let limiter = TokenBucketLimiter(perSecond: 2, burst: 2, now: { time.now })
        #expect(limiter.admit("k") == nil)
        #expect(limiter.admit("k") == nil)
        #expect(limiter.admit("k") != nil)

        time.advance(by: .milliseconds(500))
        #expect(limiter.admit("k") == nil)
        #expect(limiter.admit("k") != nil)

        // A long pause refills no more than the burst.
        time.advance(by: .seconds(60))
        #expect(limiter.admit("k") == nil)
        #expect(limiter.admit("k") == nil)
        #expect(limiter.admit("k") != nil)
    }

    @Test func saysHowLongUntilTheNextToken() {
        let time = ManualInstant()
        let limiter = TokenBucketLimiter(perSecond: 0.5, burst: 1, now: { time.now })
        #expect(limiter.admit("k") == nil)
        #expect(limiter.admit("k") == .milliseconds(2000))
        time.advance(by: .milliseconds(500))
        #expect(limiter.admit("k") == .milliseconds(1500))
        time.advance(by: .milliseconds(1500))
        #expect(limiter.admit("k") == nil)
    }

    @Test func keysHaveTheirOwnBuckets() {
        let time = ManualInstant()
        let limiter = TokenBucketLimiter(perSecond: 1, burst: 1, now: { time.now })
        #expect(limiter.admit("a") == nil)
        #expect(limiter.admit("a") != nil)
        #expect(limiter.admit("b") == nil)
    }

    @Test func dropsIdleBucketsOnceMany() {
        let time = ManualInstant()
        let limiter = TokenBucketLimiter(perSecond: 1, burst: 1, shardCount: 1, now: { time.now })
        for index in 0..<4_096 { _ = limiter.admit("idle\(index)") }
        #expect(limiter.trackedKeys == 4_096)

        // Past the refill time, those buckets are full: they carry no information.
        time.advance(by: .seconds(2))
        #expect(limiter.admit("active") == nil)
        #expect(limiter.admit("busy") == nil)
        #expect(limiter.trackedKeys <= 2)
        // A bucket still refilling is kept.
        #expect(limiter.admit("active") != nil)
    }

    /// Random keys (addresses, user ids) never grow memory past maxKeys,
    /// even when every bucket is still refilling.
    @Test func staysWithinMaxKeysUnderRandomKeys() {
        let time = ManualInstant()
        let limiter = TokenBucketLimiter(perSecond: 0.001, burst: 1, shardCount: 4, maxKeys: 1_000, now: { time.now })
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50_000 {
            _ = limiter.admit(String(UInt64.random(in: .min ... .max, using: &generator), radix: 36))
            time.advance(by: .microseconds(10))
        }
        #expect(limiter.trackedKeys <= limiter.maxKeys)
        #expect(limiter.trackedKeys >= limiter.maxKeys / 2 - 4)
    }

    /// When a shard is full, the least recently used buckets go first: a key
    /// in steady use keeps its (empty) bucket through a flood of new keys.
    @Test func evictsTheLeastRecentlyUsedFirst() {
        let time = ManualInstant()
        let limiter = TokenBucketLimiter(perSecond: 0.001, burst: 1, shardCount: 1, maxKeys: 100, now: { time.now })
        #expect(limiter.admit("attacker") == nil)
        for index in 0..<1_000 {
            time.advance(by: .milliseconds(1))
            _ = limiter.admit("flood\(index)")
            // The attacker keeps calling, and keeps being refused.
            #expect(limiter.admit("attacker") != nil)
        }
        #expect(limiter.trackedKeys <= 100)
    }

    @Test func retryAfterTellsWithoutTakingAToken() {
        let time = ManualInstant()
        let limiter = TokenBucketLimiter(perSecond: 1, burst: 2, now: { time.now })
        #expect(limiter.retryAfter("k") == nil)
        #expect(limiter.trackedKeys == 0)
        #expect(limiter.admit("k") == nil)
        for _ in 0..<10 { #expect(limiter.retryAfter("k") == nil) }
        #expect(limiter.admit("k") == nil)
        #expect(limiter.retryAfter("k") == .milliseconds(1000))
        time.advance(by: .milliseconds(400))
        #expect(limiter.retryAfter("k") == .milliseconds(600))
        time.advance(by: .milliseconds(600))
        #expect(limiter.retryAfter("k") == nil)
        #expect(limiter.admit("k") == nil)
    }
}
