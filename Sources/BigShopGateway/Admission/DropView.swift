import BigRPC
import BigShopFlashSaleAPI

/// What a gateway knows of one campaign's drop, from the owner's WatchDrop
/// feed and from the answers to the Reserves it let through, and what it
/// decides from that for the next Reserve. Pure: time is passed in.
///
/// It answers NO_ACTIVE_DROP or SOLD_OUT itself only from a fresh feed and
/// away from the moment a drop opens, when units arrive; in every doubt
/// (no feed yet, a feed gone quiet because the owner died, a drop about to
/// open) it lets the Reserve through to the owner, who decides. So a
/// takeover is answered by the owner's UNAVAILABLE, never by a local
/// SOLD_OUT.
struct DropView: Sendable {
    /// What the gateway does with a Reserve.
    enum Verdict: Equatable, Sendable {
        /// Answer NO_ACTIVE_DROP without asking the owner.
        case noActiveDrop
        /// Answer SOLD_OUT without asking the owner.
        case soldOut
        /// Let it through, with at most `limit` of this campaign's Reserves
        /// at the owner at once from this gateway.
        case admit(limit: Int)
    }

    let settings: DropAdmissionSettings
    /// The last feed update and when it arrived.
    private(set) var update: Bigshop_Flashsale_V1_DropUpdate?
    private(set) var receivedAt: ContinuousClock.Instant?
    /// The last SOLD_OUT the owner answered a Reserve let through.
    private var soldOutAnsweredAt: ContinuousClock.Instant?

    init(settings: DropAdmissionSettings) {
        self.settings = settings
    }

    mutating func received(_ update: Bigshop_Flashsale_V1_DropUpdate, at now: ContinuousClock.Instant) {
        self.update = update
        receivedAt = now
    }

    /// The feed ended: nothing it said can be trusted any more.
    mutating func feedLost() {
        update = nil
        receivedAt = nil
    }

    /// The owner answered SOLD_OUT: the pool was empty then.
    mutating func ownerAnsweredSoldOut(at now: ContinuousClock.Instant) {
        soldOutAnsweredAt = now
    }

    /// - Parameters:
    ///   - now: the gateway's monotonic clock.
    ///   - clockMs: the gateway's shop clock (wall time), as the owner's should read.
    func verdict(at now: ContinuousClock.Instant, clockMs: Int64) -> Verdict {
        let unknown = Verdict.admit(limit: settings.inFlightWhenUnknown)
        guard let update, let receivedAt, now - receivedAt < settings.feedStaleAfter, let drop = update.drop else {
            return unknown
        }
        // The owner's clock now: the later of the feed's time moved on by
        // the time since, and the gateway's own clock. The later one keeps
        // the gateway quiet sooner before a drop opens, whichever is off.
        let ownerNowMs = max(update.atMs + (now - receivedAt).saturatingMilliseconds, clockMs)
        let marginMs = settings.dropOpeningMargin.saturatingMilliseconds
        guard update.open else {
            if update.nextDropAtMs == 0 { return .noActiveDrop }  // the campaign is over
            return ownerNowMs < update.nextDropAtMs - marginMs ? .noActiveDrop : unknown
        }
        // The next drop adds units: near its start, the owner decides.
        if update.nextDropAtMs != 0, ownerNowMs >= update.nextDropAtMs - marginMs { return unknown }
        let soldOutSinceUpdate = soldOutAnsweredAt.map { $0 > receivedAt } ?? false
        let remaining = soldOutSinceUpdate ? 0 : Int(max(0, drop.remaining))
        guard remaining > 0 else { return .soldOut }
        return .admit(limit: max(settings.minimumInFlight, settings.inFlightPerRemainingUnit * remaining))
    }
}
