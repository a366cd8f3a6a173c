public import BigRPC
import BigShopAuthAPI
import BigShopFlashSaleAPI
import BigShopServiceKit

/// The token buckets the gateway applies to each call: per user when signed
/// in, per address otherwise, and tighter ones on Login (per address) and on
/// FlashSale.Reserve (per user). The per-(address, email) Login bucket lives
/// in the Auth service, which is the one that reads the email.
public struct GatewayLimiters: Sendable {
    let perUser: TokenBucketLimiter
    let perAddress: TokenBucketLimiter
    let loginPerAddress: TokenBucketLimiter
    let reservePerUser: TokenBucketLimiter

    public init(_ limits: RateLimits) {
        func limiter(_ bucket: RateLimits.Bucket) -> TokenBucketLimiter {
            TokenBucketLimiter(perSecond: bucket.perSecond, burst: bucket.burst)
        }
        perUser = limiter(limits.perUser)
        perAddress = limiter(limits.perAddress)
        loginPerAddress = limiter(limits.loginPerAddress)
        reservePerUser = limiter(limits.reservePerUser)
    }

    func admit(_ context: ServerContext) throws(RPCError) {
        let address = PeerAddress.host(of: context.peer)
        if let principal = context.principal {
            try check(perUser, principal.userID)
        } else {
            try check(perAddress, address)
        }
        switch context.method.path {
        case Bigshop_Auth_V1_AuthService.Method.login.path:
            try check(loginPerAddress, address)
        case Bigshop_Flashsale_V1_FlashSaleService.Method.reserve.path:
            if let principal = context.principal { try check(reservePerUser, principal.userID) }
        default:
            break
        }
    }

    private func check(_ limiter: TokenBucketLimiter, _ key: String) throws(RPCError) {
        guard let wait = limiter.admit(key) else { return }
        throw RateLimited.error(retryAfter: wait)
    }
}

/// The error of a refused call: RESOURCE_EXHAUSTED with `retry-after-ms`.
public enum RateLimited {
    public static func error(retryAfter wait: Duration) -> RPCError {
        let (seconds, attoseconds) = wait.components
        let milliseconds = max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        return RPCError(
            .resourceExhausted,
            "too many requests; retry in \(milliseconds) ms",
            metadata: [Metadata.retryAfterKey: String(milliseconds)]
        )
    }
}
