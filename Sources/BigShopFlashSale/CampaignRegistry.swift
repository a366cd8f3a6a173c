import Atomics
import Synchronization

/// The campaigns' engines, readable without a lock: readers load an
/// immutable snapshot through an atomic reference; the rare writer (a new
/// campaign) publishes a new snapshot.
final class CampaignRegistry: Sendable {
    final class Snapshot: AtomicReference, Sendable {
        let engines: [String: CampaignEngine]

        init(_ engines: [String: CampaignEngine]) {
            self.engines = engines
        }
    }

    private let current = ManagedAtomic(Snapshot([:]))
    private let writer = Mutex(())

    /// The engine of `campaignID`, if any.
    func engine(_ campaignID: String) -> CampaignEngine? {
        current.load(ordering: .acquiring).engines[campaignID]
    }

    /// Every engine.
    var engines: [CampaignEngine] {
        Array(current.load(ordering: .acquiring).engines.values)
    }

    func add(_ engine: CampaignEngine) {
        writer.withLock { _ in
            var engines = current.load(ordering: .acquiring).engines
            engines[engine.campaign.id] = engine
            current.store(Snapshot(engines), ordering: .releasing)
        }
    }
}
