import Metrics

/// `bigshop_rate_limit_refusals_total{bucket}`: calls the gateway refused
/// with RESOURCE_EXHAUSTED, by the bucket that was empty (the names of
/// ``RateLimits``' buckets in snake case).
struct RateLimitRefusals: Sendable {
    static let name = "bigshop_rate_limit_refusals_total"

    let allCallsPerAddress = Self.counter("all_calls_per_address")
    let failedAuthPerAddress = Self.counter("failed_auth_per_address")
    let perUser = Self.counter("per_user")
    let perAddress = Self.counter("per_address")
    let loginPerAddress = Self.counter("login_per_address")
    let registerPerAddress = Self.counter("register_per_address")
    let reservePerUser = Self.counter("reserve_per_user")

    private static func counter(_ bucket: String) -> Counter {
        Counter(label: name, dimensions: [("bucket", bucket)])
    }
}
