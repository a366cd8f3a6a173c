public import BigRPC
import BigShopAuthAPI
import BigShopFlashSaleAPI
import BigShopServiceKit
import Metrics

/// The token buckets the gateway applies to each call (see ``RateLimits``).
///
/// In the order ``GatewayInterceptor`` applies them:
/// 1. before anything else, every call from an address
///    (``RateLimits/allCallsPerAddress``);
/// 2. before a token is checked, the address's failed authentications
///    (``RateLimits/failedAuthPerAddress``): once they are used up, a call
///    carrying a token is refused without the SHA-256 and the database read
///    a check costs; each failed check takes one;
/// 3. after authentication, per user when signed in, per address otherwise,
///    and the tighter ones on Login and Register (per address) and on
///    FlashSale.Reserve (per user).
///
/// The per-(address, email) Login bucket lives in the Auth service, which is
/// the one that reads the email. Addresses are keyed by
/// ``PeerAddress/limitKey(of:)`` (an IPv6 peer by its /64). Each limiter
/// keeps at most ``TokenBucketLimiter/defaultMaxKeys`` keys, so random
/// addresses cannot grow memory without bound.
public struct GatewayLimiters: Sendable {
    let allCallsPerAddress: TokenBucketLimiter
    let failedAuthPerAddress: TokenBucketLimiter
    let perUser: TokenBucketLimiter
    let perAddress: TokenBucketLimiter
    let loginPerAddress: TokenBucketLimiter
    let registerPerAddress: TokenBucketLimiter
    let reservePerUser: TokenBucketLimiter
    /// `bigshop_rate_limit_refusals_total{bucket}`, one counter per bucket.
    private let refusals: RateLimitRefusals

    /// - Parameters:
    ///   - limits: valid limits (see ``RateLimits/validate()``).
    ///   - now: the time source; tests inject their own.
    public init(
        _ limits: RateLimits,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        func limiter(_ bucket: RateLimits.Bucket) -> TokenBucketLimiter {
            TokenBucketLimiter(perSecond: bucket.perSecond, burst: bucket.burst, now: now)
        }
        allCallsPerAddress = limiter(limits.allCallsPerAddress)
        failedAuthPerAddress = limiter(limits.failedAuthPerAddress)
        perUser = limiter(limits.perUser)
        perAddress = limiter(limits.perAddress)
        loginPerAddress = limiter(limits.loginPerAddress)
        registerPerAddress = limiter(limits.registerPerAddress)
        reservePerUser = limiter(limits.reservePerUser)
        refusals = RateLimitRefusals()
    }

    /// Step 1: counts a call from `address`, whatever it is.
    func admitCall(from address: String) throws(RPCError) {
        try check(allCallsPerAddress, address, .rateLimited, refusals.allCallsPerAddress)
    }

    /// Step 2, before a token is checked: refuses the call if `address` has
    /// used up its failed authentications. Takes nothing.
    func admitTokenCheck(from address: String) throws(RPCError) {
        guard let wait = failedAuthPerAddress.retryAfter(address) else { return }
        refusals.failedAuthPerAddress.increment()
        throw RateLimited.error(retryAfter: wait, reason: .tooManyFailedAuthentications)
    }

    /// Step 2, after a token failed its check: takes one from `address`'s
    /// failed authentications.
    func chargeFailedAuthentication(from address: String) {
        _ = failedAuthPerAddress.admit(address)
    }

    /// Step 3, once the caller is known.
    func admit(_ context: ServerContext, from address: String) throws(RPCError) {
        if let principal = context.principal {
            try check(perUser, principal.userID, .rateLimited, refusals.perUser)
        } else {
            try check(perAddress, address, .rateLimited, refusals.perAddress)
        }
        switch context.method.path {
        case Bigshop_Auth_V1_AuthService.Method.login.path:
            try check(loginPerAddress, address, .rateLimited, refusals.loginPerAddress)
        case Bigshop_Auth_V1_AuthService.Method.register.path:
            try check(registerPerAddress, address, .tooManyRegistrations, refusals.registerPerAddress)
        case Bigshop_Flashsale_V1_FlashSaleService.Method.reserve.path:
            if let principal = context.principal { try check(reservePerUser, principal.userID, .rateLimited, refusals.reservePerUser) }
        default:
            break
        }
    }

    /// Keys tracked by all the limiters together (for tests and metrics).
    public var trackedKeys: Int {
        [allCallsPerAddress, failedAuthPerAddress, perUser, perAddress, loginPerAddress, registerPerAddress, reservePerUser]
            .reduce(0) { $0 + $1.trackedKeys }
    }

    private func check(_ limiter: TokenBucketLimiter, _ key: String, _ reason: RateLimited.Reason, _ refused: Counter) throws(RPCError) {
        guard let wait = limiter.admit(key) else { return }
        refused.increment()
        throw RateLimited.error(retryAfter: wait, reason: reason)
    }
}

/// The error of a refused call: RESOURCE_EXHAUSTED with `retry-after-ms` and
/// a `reason`.
public enum RateLimited {
    /// The `reason` trailer of a refusal (upper-case, stable; listed in
    /// docs/OPERATIONS.md).
    public enum Reason: String, Sendable {
        /// A call budget (per address, per user, Login, Reserve) is used up.
        case rateLimited = "RATE_LIMITED"
        /// The address's failed authentications are used up: calls carrying a
        /// token are refused until it refills.
        case tooManyFailedAuthentications = "TOO_MANY_FAILED_AUTHENTICATIONS"
        /// The address's Register budget is used up.
        case tooManyRegistrations = "TOO_MANY_REGISTRATIONS"

        var message: String {
            switch self {
            case .rateLimited: "too many requests"
            case .tooManyFailedAuthentications: "too many invalid session tokens from this address"
            case .tooManyRegistrations: "too many accounts created from this address"
            }
        }
    }

    public static func error(retryAfter wait: Duration, reason: Reason = .rateLimited) -> RPCError {
        let (seconds, attoseconds) = wait.components
        // Rounded up, so a client that waits exactly this long finds a token.
        let milliseconds = max(1, seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        return RPCError(
            .resourceExhausted,
            "\(reason.message); retry in \(milliseconds) ms",
            metadata: [Metadata.retryAfterKey: String(milliseconds), Metadata.reasonKey: reason.rawValue]
        )
    }
}
