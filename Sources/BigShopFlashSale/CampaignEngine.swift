import FlashSaleRing
import Synchronization

/// The in-memory state of one campaign: its units on a lock-free
/// ``ReservationRing``, and per-customer counts in ``CustomerLimits``.
///
/// A Reserve decides here without a lock and without the disk: an atomic
/// check that the current drop's units were released, the customer's count
/// in its shard, and one compare-and-exchange on the ring. Drops are
/// released lazily: the first call at or after a drop's start adds its
/// units (under a lock taken once per drop, never on the common path).
final class CampaignEngine: Sendable {
    /// What a claim decided.
    enum Claim: Equatable {
        case granted(unit: UInt32, dropIndex: Int)
        case noActiveDrop
        case soldOut
        case limitReached
    }

    let campaign: Campaign
    private let ring: ReservationRing
    private let limits = CustomerLimits()
    /// Drops whose units have been added to the ring.
    private let releasedDrops = Atomic(0)
    /// Serializes the (rare) release of a new drop's units.
    private let releaseLock = Mutex(())
    /// The faults this engine commits on purpose (tests only).
    private let faults: FlashSaleFaults
    /// The last drop oversold by ``FlashSaleFaults/oversellOneUnitPerDrop``.
    private let oversoldDrop = Atomic(-1)

    /// Rebuilds the campaign's state at `nowMs` from the holds that are still
    /// live (held or sold): every started drop's units, minus those.
    init(campaign: Campaign, liveHolds: [Hold], nowMs: Int64, faults: FlashSaleFaults = FlashSaleFaults()) throws {
        self.campaign = campaign
        self.faults = faults
        ring = ReservationRing(capacity: campaign.totalUnits)
        let started = campaign.dropsStarted(atMs: nowMs)
        let taken = Set(liveHolds.map(\.unit))
        var units: [UInt32] = []
        units.reserveCapacity(started * campaign.unitsPerDrop)
        for drop in 0..<started {
            units += campaign.units(ofDrop: drop).filter { !taken.contains($0) }
        }
        try ring.add(units)
        releasedDrops.store(started, ordering: .releasing)
        var counts: [String: [Int: Int]] = [:]
        for hold in liveHolds { counts[hold.userID, default: [:]][hold.dropIndex, default: 0] += 1 }
        limits.reset(
            to: counts.flatMap { customer, drops in
                drops.map { (customer: customer, drop: $0.key, count: $0.value) }
            })
    }

    /// Takes one unit for `customer` at `nowMs`, or says why not. Throws
    /// only if the engine's own bookkeeping is broken (a bug): the call
    /// fails, the process does not.
    func claim(customer: String, nowMs: Int64) throws(CampaignEngineError) -> Claim {
        guard let drop = campaign.dropIndex(atMs: nowMs) else { return .noActiveDrop }
        try releaseDrops(through: drop)
        guard limits.tryAcquire(customer: customer, drop: drop, limit: campaign.perCustomerLimit) else {
            return .limitReached
        }
        guard let unit = ring.tryClaim() else {
            if let phantom = oversoldUnit(drop: drop) { return .granted(unit: phantom, dropIndex: drop) }
            limits.release(customer: customer, drop: drop)
            return .soldOut
        }
        return .granted(unit: unit, dropIndex: drop)
    }

    /// Gives a unit back: its hold expired, was cancelled, or never became durable.
    ///
    /// Capacity is every unit of the campaign, and each unit is in the ring
    /// or in one live hold: a full ring here means a unit was given back
    /// twice, which the hold states rule out. Should a bug do it anyway, the
    /// call that did fails and the unit is not added twice.
    func giveBack(unit: UInt32, customer: String, dropIndex: Int) throws(CampaignEngineError) {
        limits.release(customer: customer, drop: dropIndex)
        do {
            try ring.release(unit)
        } catch {
            throw .unitGivenBackTwice(campaignID: campaign.id, unit: unit)
        }
    }

    /// Units that can be reserved now (exact when no call is in flight).
    func remaining(atMs nowMs: Int64) throws(CampaignEngineError) -> Int {
        try releaseDrops(through: campaign.dropsStarted(atMs: nowMs) - 1)
        return ring.approximateCount
    }

    /// Units released by every drop started by `nowMs`.
    func unitsReleased(atMs nowMs: Int64) -> Int {
        campaign.dropsStarted(atMs: nowMs) * campaign.unitsPerDrop
    }

    /// Under ``FlashSaleFaults/oversellOneUnitPerDrop`` only, once per drop:
    /// a unit that does not exist (past the campaign's last), to grant
    /// although the drop is sold out.
    private func oversoldUnit(drop: Int) -> UInt32? {
        guard faults.oversellOneUnitPerDrop else { return nil }
        let last = oversoldDrop.load(ordering: .relaxed)
        guard last < drop, oversoldDrop.compareExchange(expected: last, desired: drop, ordering: .relaxed).exchanged else {
            return nil
        }
        return UInt32(campaign.totalUnits + drop)
    }

    /// Adds the units of every drop up to `drop` not added yet.
    private func releaseDrops(through drop: Int) throws(CampaignEngineError) {
        guard drop >= 0, releasedDrops.load(ordering: .acquiring) <= drop else { return }
        let failed: CampaignEngineError? = releaseLock.withLock { _ in
            var released = releasedDrops.load(ordering: .acquiring)
            while released <= min(drop, campaign.drops - 1) {
                do {
                    try ring.add(campaign.units(ofDrop: released))
                } catch {
                    // The ring holds every unit of the campaign: it cannot be
                    // full unless the bookkeeping is broken.
                    return .ringOverflow(campaignID: campaign.id, drop: released)
                }
                released += 1
                releasedDrops.store(released, ordering: .releasing)
            }
            return nil
        }
        if let failed { throw failed }
    }
}

/// A campaign engine's bookkeeping found broken: a bug, never a customer's
/// doing. The call that found it fails with INTERNAL (logged at error); the
/// process and every other call go on.
enum CampaignEngineError: Error, Hashable, CustomStringConvertible {
    /// A unit was given back while already in the pool.
    case unitGivenBackTwice(campaignID: String, unit: UInt32)
    /// A drop's units did not fit in the pool.
    case ringOverflow(campaignID: String, drop: Int)

    var description: String {
        switch self {
        case .unitGivenBackTwice(let campaignID, let unit):
            "unit \(unit) of campaign \(campaignID) given back twice"
        case .ringOverflow(let campaignID, let drop):
            "campaign \(campaignID) released drop \(drop) into a full pool"
        }
    }
}
