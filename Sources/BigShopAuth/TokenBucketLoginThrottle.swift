import BigShopServiceKit

/// The default ``LoginThrottle``: a token bucket per (address, email) pair.
///
/// Defaults: a burst of 5 attempts, then one more every 12 s (5 a minute).
/// A customer who mistypes a password a few times is never slowed down, while
/// guessing one account's password from one address runs at 7,200 attempts a
/// day at most (the gateway's per-address Login bucket bounds guessing across
/// many emails). Buckets of pairs idle long enough to be full again are
/// dropped, so memory follows the active pairs (see ``TokenBucketLimiter``).
public struct TokenBucketLoginThrottle: LoginThrottle {
    /// The default burst: attempts allowed in a row.
    public static let defaultBurst = 5.0
    /// The default refill: attempts regained per second (one per 12 s).
    public static let defaultPerSecond = 1.0 / 12

    private let limiter: TokenBucketLimiter

    /// - Parameters:
    ///   - perSecond: attempts regained per second, > 0.
    ///   - burst: attempts allowed in a row, ≥ 1.
    ///   - now: the time source; tests inject their own.
    public init(
        perSecond: Double = defaultPerSecond,
        burst: Double = defaultBurst,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        limiter = TokenBucketLimiter(perSecond: perSecond, burst: burst, now: now)
    }

    /// Takes one token from the bucket of (`address`, `email`).
    public func admit(address: String, email: String) -> Duration? {
        // An address never contains a newline, so the key is unambiguous.
        limiter.admit(address + "\n" + email)
    }
}
