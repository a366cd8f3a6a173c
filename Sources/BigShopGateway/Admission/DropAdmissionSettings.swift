/// How a gateway admits Reserves to the flash sale's owner (``DropAdmission``).
public struct DropAdmissionSettings: Sendable {
    /// Reserves of one campaign at the owner at once from this gateway, per
    /// unit that remains: a few times what can still be granted.
    public var inFlightPerRemainingUnit = 4
    /// At least this many at once, however few units remain.
    public var minimumInFlight = 16
    /// At once while the gateway does not know the drop (no feed yet, a feed
    /// gone quiet, a drop about to open).
    public var inFlightWhenUnknown = 256
    /// Reserves waiting for their turn, per campaign; more are refused
    /// QUEUE_FULL (RESOURCE_EXHAUSTED). Each costs a suspended call.
    public var maxQueued = 10_000
    /// The longest a Reserve waits for its turn before QUEUE_FULL.
    public var maxWait = Duration.seconds(2)
    /// The `retry-after-ms` of a QUEUE_FULL, chosen at random in this range
    /// so that refused customers do not all come back at once.
    public var retryAfterMs: ClosedRange<Int> = 250...1_500
    /// A feed silent for this long is ignored (the owner sends at least one
    /// update a second).
    public var feedStaleAfter = Duration.milliseconds(2_500)
    /// Within this much of a drop's opening the owner decides, not the feed.
    public var dropOpeningMargin = Duration.milliseconds(250)
    /// Campaigns a gateway keeps a feed and a queue for; Reserves for more
    /// go straight through.
    public var maxCampaigns = 256
    /// A campaign nobody has reserved from for this long loses its feed.
    public var idleAfter = Duration.seconds(600)

    /// The defaults above.
    public init() {}
}
