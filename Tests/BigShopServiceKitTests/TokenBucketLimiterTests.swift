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
}
