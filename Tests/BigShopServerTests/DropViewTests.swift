import BigShopFlashSaleAPI
import Testing

@testable import BigShopGateway

/// What a gateway decides from the owner's WatchDrop feed.
@Suite struct DropViewTests {
    let settings = DropAdmissionSettings()
    let start = ContinuousClock.now
    /// The owner's clock at `start`.
    let ownerMs: Int64 = 1_795_834_800_000

    func update(open: Bool = true, remaining: Int32, endsInMs: Int64 = 3_600_000, atMs: Int64? = nil) -> Bigshop_Flashsale_V1_DropUpdate {
        let at = atMs ?? ownerMs
        return Bigshop_Flashsale_V1_DropUpdate(
            drop: Bigshop_Flashsale_V1_Drop(campaignId: "cmp", index: 0, endsAtMs: at + endsInMs, remaining: remaining),
            atMs: at, open: open, nextDropAtMs: endsInMs == 0 ? 0 : at + endsInMs)
    }

    func view(_ update: Bigshop_Flashsale_V1_DropUpdate) -> DropView {
        var view = DropView(settings: settings)
        view.received(update, at: start)
        return view
    }

    @Test func withoutAFeedTheOwnerDecides() {
        let view = DropView(settings: settings)
        #expect(view.verdict(at: start, clockMs: ownerMs) == .admit(limit: settings.inFlightWhenUnknown))
    }

    @Test func aFreshFeedBoundsTheReservesLetThrough() {
        #expect(view(update(remaining: 10)).verdict(at: start, clockMs: ownerMs) == .admit(limit: 40))
        #expect(view(update(remaining: 1)).verdict(at: start, clockMs: ownerMs) == .admit(limit: settings.minimumInFlight))
        #expect(view(update(remaining: 0)).verdict(at: start, clockMs: ownerMs) == .soldOut)
    }

    @Test func aFeedGoneQuietIsIgnored() {
        // The owner died: no SOLD_OUT from what it said before.
        let quiet = start + settings.feedStaleAfter
        #expect(view(update(remaining: 0)).verdict(at: quiet, clockMs: ownerMs) == .admit(limit: settings.inFlightWhenUnknown))
        var lost = view(update(remaining: 0))
        lost.feedLost()
        #expect(lost.verdict(at: start, clockMs: ownerMs) == .admit(limit: settings.inFlightWhenUnknown))
    }

    @Test func nearTheNextDropTheOwnerDecides() {
        let soldOut = view(update(remaining: 0, endsInMs: 1_000))
        #expect(soldOut.verdict(at: start, clockMs: ownerMs) == .soldOut)
        // By the feed's time moved on...
        #expect(soldOut.verdict(at: start + .milliseconds(800), clockMs: ownerMs) == .admit(limit: settings.inFlightWhenUnknown))
        // ...or by the gateway's own clock, whichever is later.
        #expect(soldOut.verdict(at: start, clockMs: ownerMs + 900) == .admit(limit: settings.inFlightWhenUnknown))
    }

    @Test func beforeTheFirstDropAndAfterTheLast() {
        let before = view(update(open: false, remaining: 0, endsInMs: 60_000))
        #expect(before.verdict(at: start, clockMs: ownerMs) == .noActiveDrop)
        #expect(before.verdict(at: start, clockMs: ownerMs + 59_900) == .admit(limit: settings.inFlightWhenUnknown))
        let over = view(update(open: false, remaining: 5, endsInMs: 0))
        #expect(over.verdict(at: start, clockMs: ownerMs) == .noActiveDrop)
    }

    @Test func theOwnersSoldOutCountsUntilTheFeedSaysOtherwise() {
        var view = view(update(remaining: 3))
        view.ownerAnsweredSoldOut(at: start + .milliseconds(10))
        #expect(view.verdict(at: start + .milliseconds(20), clockMs: ownerMs) == .soldOut)
        // A hold expired: the feed says a unit is back.
        view.received(update(remaining: 1, atMs: ownerMs + 30), at: start + .milliseconds(30))
        #expect(view.verdict(at: start + .milliseconds(40), clockMs: ownerMs) == .admit(limit: settings.minimumInFlight))
    }
}
