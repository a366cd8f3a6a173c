import BigShopFlashSaleAPI
import Synchronization

/// Units remaining in a campaign's pool over time, sampled with the public
/// GetCurrentDrop every 100 ms by an anonymous caller: the timeline of
/// the HTML report.
final class RemainingTimeline: Sendable {
    /// One sample: milliseconds from the drop's opening (negative before
    /// it), and the units remaining then.
    struct Sample: Codable, Equatable, Sendable {
        var ms: Int
        var remaining: Int
    }

    private let samples = Mutex<[Sample]>([])

    /// Every sample so far, in time order.
    var all: [Sample] { samples.withLock { $0 } }

    /// Samples until the calling task is cancelled; a failed sample is
    /// skipped. Bounded: at most 10 samples a second.
    func record(from caller: ShopCaller, campaignID: String, opening: ContinuousClock.Instant) async {
        let clock = ContinuousClock()
        while !Task.isCancelled {
            if let drop = try? await caller.flashSale.getCurrentDrop(
                .init(campaignId: campaignID), metadata: caller.metadata, options: ShopCaller.options)
            {
                let offset = clock.now - opening
                let ms = Int(offset.components.seconds * 1000 + offset.components.attoseconds / 1_000_000_000_000_000)
                samples.withLock { $0.append(Sample(ms: ms, remaining: Int(drop.remaining))) }
            }
            guard (try? await clock.sleep(for: .milliseconds(100))) != nil else { return }
        }
    }
}
