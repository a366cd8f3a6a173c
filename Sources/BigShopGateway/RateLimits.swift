/// The gateway's rate limits: token buckets of `burst` tokens refilled at
/// `perSecond`. The defaults are what a launch day would use; see
/// docs/OPERATIONS.md ("Authentication and rate limits") for the reasoning.
///
/// Decoded from JSON, any bucket or field left out keeps its default.
public struct RateLimits: Hashable, Sendable, Codable {
    public struct Bucket: Hashable, Sendable, Codable {
        /// Tokens added per second.
        public var perSecond: Double
        /// The most tokens a bucket holds: the burst allowed after a pause.
        public var burst: Double

        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }

        /// Throws ``RateLimitsError`` naming `name` unless the rate is in
        /// 0.000001 ... 1,000,000 per second and the burst in 1 ... 1,000,000.
        public func validate(name: String) throws(RateLimitsError) {
            guard perSecond.isFinite, (1e-6...1e6).contains(perSecond) else {
                throw RateLimitsError(message: "\(name).perSecond must be between 0.000001 and 1000000")
            }
            guard burst.isFinite, (1...1e6).contains(burst) else {
                throw RateLimitsError(message: "\(name).burst must be between 1 and 1000000")
            }
        }
    }

    /// Every call from one address, counted before the token is looked at.
    /// Far above the per-user limits: carrier-grade NAT puts thousands of
    /// customers behind one address, signed in or not. It bounds the raw
    /// work one address can ask for, whatever it sends.
    public var allCallsPerAddress = Bucket(perSecond: 1_000, burst: 2_000)
    /// Failed authentications (a token that is malformed, unknown, expired or
    /// revoked) from one address. Once empty, every call from that address
    /// that carries a token is refused before the token is checked: no
    /// SHA-256, no database read.
    public var failedAuthPerAddress = Bucket(perSecond: 1, burst: 60)
    /// Every call of a signed-in user.
    public var perUser = Bucket(perSecond: 20, burst: 40)
    /// Every anonymous call from one address. Generous, since carrier-grade
    /// NAT puts many customers behind one address.
    public var perAddress = Bucket(perSecond: 50, burst: 100)
    /// Login attempts from one address, whatever the email.
    public var loginPerAddress = Bucket(perSecond: 0.5, burst: 20)
    /// Register calls from one address: each costs a slow password hash and
    /// makes an account.
    public var registerPerAddress = Bucket(perSecond: 0.1, burst: 10)
    /// FlashSale.Reserve per user: one press a second is plenty for a human.
    public var reservePerUser = Bucket(perSecond: 1, burst: 3)

    public init() {}

    /// Every bucket with its setting's name, for validation and messages.
    var named: [(name: String, bucket: Bucket)] {
        [
            ("allCallsPerAddress", allCallsPerAddress), ("failedAuthPerAddress", failedAuthPerAddress),
            ("perUser", perUser), ("perAddress", perAddress), ("loginPerAddress", loginPerAddress),
            ("registerPerAddress", registerPerAddress), ("reservePerUser", reservePerUser),
        ]
    }

    /// Throws ``RateLimitsError`` naming the first bucket out of range: a
    /// rate must be in 0.000001 ... 1,000,000 per second, a burst in
    /// 1 ... 1,000,000.
    public func validate() throws(RateLimitsError) {
        for (name, bucket) in named {
            try bucket.validate(name: "rateLimits." + name)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case allCallsPerAddress, failedAuthPerAddress, perUser, perAddress, loginPerAddress, registerPerAddress
        case reservePerUser
    }

    /// A bucket as a config file may give it: either field may be left out.
    private struct PartialBucket: Decodable {
        var perSecond: Double?
        var burst: Double?

        func over(_ fallback: Bucket) -> Bucket {
            Bucket(perSecond: perSecond ?? fallback.perSecond, burst: burst ?? fallback.burst)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func bucket(_ key: CodingKeys, _ fallback: Bucket) throws -> Bucket {
            try container.decodeIfPresent(PartialBucket.self, forKey: key)?.over(fallback) ?? fallback
        }
        let defaults = RateLimits()
        allCallsPerAddress = try bucket(.allCallsPerAddress, defaults.allCallsPerAddress)
        failedAuthPerAddress = try bucket(.failedAuthPerAddress, defaults.failedAuthPerAddress)
        perUser = try bucket(.perUser, defaults.perUser)
        perAddress = try bucket(.perAddress, defaults.perAddress)
        loginPerAddress = try bucket(.loginPerAddress, defaults.loginPerAddress)
        registerPerAddress = try bucket(.registerPerAddress, defaults.registerPerAddress)
        reservePerUser = try bucket(.reservePerUser, defaults.reservePerUser)
    }
}

/// A ``RateLimits`` value out of range.
public struct RateLimitsError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public var description: String { "invalid rate limits: \(message)" }
}
