/// The gateway's rate limits: token buckets of `burst` tokens refilled at
/// `perSecond`. The defaults are what a launch day would use; see
/// docs/OPERATIONS.md for the reasoning.
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
    }

    /// Every call of a signed-in user.
    public var perUser = Bucket(perSecond: 20, burst: 40)
    /// Every anonymous call from one address. Generous, since carrier-grade
    /// NAT puts many customers behind one address.
    public var perAddress = Bucket(perSecond: 50, burst: 100)
    /// Login attempts from one address, whatever the email.
    public var loginPerAddress = Bucket(perSecond: 0.5, burst: 20)
    /// FlashSale.Reserve per user: one press a second is plenty for a human.
    public var reservePerUser = Bucket(perSecond: 1, burst: 3)

    public init() {}
}
