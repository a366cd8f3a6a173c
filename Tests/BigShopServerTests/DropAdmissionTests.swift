import BigRPC
import BigShopFlashSaleAPI
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import BigShopGateway

/// The gateway's admission of Reserves, driven by a feed the test writes
/// (the owner's side is tested through the server in FlashSaleAdmissionTests).
@Suite(.timeLimit(.minutes(1)))
struct DropAdmissionTests {
    static let ownerMs: Int64 = 1_795_834_800_000

    /// A feed the test controls: each campaign's current update, sent
    /// every 20 ms to whoever watches.
    final class Feed: Sendable {
        let current = Mutex<[String: Bigshop_Flashsale_V1_DropUpdate]>([:])

        func set(_ campaignID: String, remaining: Int32) {
            let update = Bigshop_Flashsale_V1_DropUpdate(
                drop: Bigshop_Flashsale_V1_Drop(campaignId: campaignID, endsAtMs: DropAdmissionTests.ownerMs + 3_600_000, remaining: remaining),
                atMs: DropAdmissionTests.ownerMs, open: true, nextDropAtMs: DropAdmissionTests.ownerMs + 3_600_000)
            current.withLock { $0[campaignID] = update }
        }

        func watch(_ campaignID: String, _ onUpdate: @Sendable (Bigshop_Flashsale_V1_DropUpdate) -> Bool) async throws {
            while true {
                guard let update = current.withLock({ $0[campaignID] }) else { throw RPCError(.notFound, "no such campaign") }
                guard onUpdate(update) else { return }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// The owner: `units` to grant, each Reserve taking `work`, with the
    /// most Reserves it ever had at once.
    final class Owner: Sendable {
        let state: Mutex<(units: Int, inFlight: Int, most: Int, calls: Int)>
        let work: Duration

        init(units: Int, work: Duration = .milliseconds(5)) {
            state = Mutex((units, 0, 0, 0))
            self.work = work
        }

        func reserve() async throws -> Bool {
            state.withLock {
                $0.inFlight += 1
                $0.calls += 1
                $0.most = max($0.most, $0.inFlight)
            }
            try await Task.sleep(for: work)
            let granted = state.withLock { state in
                state.inFlight -= 1
                guard state.units > 0 else { return false }
                state.units -= 1
                return true
            }
            guard granted else { throw FlashSaleRefusal.soldOut }
            return true
        }
    }

    func withAdmission(
        _ settings: DropAdmissionSettings = DropAdmissionSettings(), feed: Feed,
        _ body: (DropAdmission) async throws -> Void
    ) async throws {
        let admission = DropAdmission(
            settings: settings, clockMs: { Self.ownerMs }, logger: Logger(label: "test"), watch: feed.watch)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await admission.run() }
            try await body(admission)
            group.cancelAll()
        }
    }

    /// Waits (bounded) until the gateway has the feed for `campaignID`.
    func awaitFeed(_ admission: DropAdmission, _ campaignID: String) async throws {
        _ = try? await admission.reserve(campaignID: campaignID, customer: "first") { throw CancellationError() }
        for _ in 0..<500 where !admission.hasFeed(for: campaignID) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(admission.hasFeed(for: campaignID))
    }

    func outcomes(_ presses: Int, _ admission: DropAdmission, _ campaignID: String, owner: Owner) async -> [String] {
        await withTaskGroup(of: String.self) { group in
            for _ in 0..<presses {
                group.addTask {
                    do {
                        _ = try await admission.reserve(campaignID: campaignID, customer: "c\(Int.random(in: 0..<Int.max))") { try await owner.reserve() }
                        return "OK"
                    } catch let error as RPCError {
                        return error.metadata["reason"] ?? error.code.name
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func theOwnerSeesAFewTimesWhatRemainsAndTheRestAreToldSoldOut() async throws {
        let feed = Feed()
        feed.set("cmp", remaining: 10)
        let owner = Owner(units: 10)
        try await withAdmission(feed: feed) { admission in
            try await awaitFeed(admission, "cmp")
            let results = await outcomes(2_000, admission, "cmp", owner: owner)
            #expect(results.filter { $0 == "OK" }.count == 10)
            #expect(results.filter { $0 == "SOLD_OUT" }.count == 1_990)
            let seen = owner.state.withLock { $0 }
            #expect(seen.most <= 40, "at most 4 × remaining at the owner at once")
            #expect(seen.calls < 200, "most were answered by the gateway")
        }
    }

    @Test func withoutAFeedTheOwnerAnswersEveryReserve() async throws {
        let feed = Feed()  // knows no campaign: the watch fails NOT_FOUND
        let owner = Owner(units: 5)
        var settings = DropAdmissionSettings()
        settings.inFlightWhenUnknown = 8
        try await withAdmission(settings, feed: feed) { admission in
            let results = await outcomes(100, admission, "cmp", owner: owner)
            #expect(results.filter { $0 == "OK" }.count == 5)
            #expect(results.filter { $0 == "SOLD_OUT" }.count == 95)
            #expect(owner.state.withLock { $0.calls } == 100)
        }
    }

    @Test func aFullQueueAndALongWaitAreToldToRetryLater() async throws {
        let feed = Feed()
        feed.set("cmp", remaining: 1)
        var settings = DropAdmissionSettings()
        settings.minimumInFlight = 1
        settings.inFlightPerRemainingUnit = 1
        settings.maxQueued = 3
        settings.maxWait = .milliseconds(300)
        // The owner is slow: one Reserve takes 2 s.
        let owner = Owner(units: 1, work: .seconds(2))
        try await withAdmission(settings, feed: feed) { admission in
            try await awaitFeed(admission, "cmp")
            let results = await outcomes(10, admission, "cmp", owner: owner)
            #expect(results.filter { $0 == "OK" }.count == 1)
            #expect(results.filter { $0 == "QUEUE_FULL" }.count == 9, "6 past the queue's bound at once, 3 after waiting")
        }
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let feed = Feed()
        feed.set("cmp", remaining: 1)
        var settings = DropAdmissionSettings()
        settings.minimumInFlight = 1
        settings.inFlightPerRemainingUnit = 1
        let owner = Owner(units: 1, work: .milliseconds(500))
        try await withAdmission(settings, feed: feed) { admission in
            try await awaitFeed(admission, "cmp")
            async let first = outcomes(1, admission, "cmp", owner: owner)
            try await Task.sleep(for: .milliseconds(50))
            let waiting = Task { await outcomes(1, admission, "cmp", owner: owner) }
            try await Task.sleep(for: .milliseconds(50))
            waiting.cancel()
            let cancelled = await waiting.value
            #expect(cancelled.first?.contains("CancellationError") == true)
            #expect(await first == ["OK"])
            #expect(owner.state.withLock { $0.calls } == 1)
        }
    }
}
