import Synchronization

/// The campaigns' engines. Readers take an uncontended lock only to copy
/// the dictionary's reference; the rare writer (a new campaign) replaces it.
final class CampaignRegistry: Sendable {
    private let current = Mutex<[String: CampaignEngine]>([:])
    /// The faults every engine of this registry commits (tests only).
    let faults: FlashSaleFaults

    init(faults: FlashSaleFaults = FlashSaleFaults()) {
        self.faults = faults
    }

    /// The engine of `campaignID`, if any.
    func engine(_ campaignID: String) -> CampaignEngine? {
        current.withLock { $0[campaignID] }
    }

    /// Every engine.
    var engines: [CampaignEngine] {
        Array(current.withLock { $0 }.values)
    }

    func add(_ engine: CampaignEngine) {
        current.withLock { $0[engine.campaign.id] = engine }
    }

    /// Replaces every engine (an owner rebuilding its rings, or a standby
    /// dropping them with `[]`).
    func replaceAll(with engines: [CampaignEngine]) {
        current.withLock { $0 = Dictionary(engines.map { ($0.campaign.id, $0) }, uniquingKeysWith: { $1 }) }
    }
}
