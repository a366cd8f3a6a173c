import BigRPC
public import BigShopFlashSaleAPI
import Logging
public import ServiceLifecycle
import Synchronization

/// Admission of flash-sale Reserves at a gateway, before the owner sees them.
///
/// For each campaign customers reserve from, the gateway watches the owner's
/// `WatchDrop` feed, answers NO_ACTIVE_DROP and SOLD_OUT itself while the
/// feed is fresh, and lets only a bounded number of Reserves through at
/// once (a few times the units that remain); the others wait their turn
/// briefly, in order, and are told QUEUE_FULL with a jittered
/// `retry-after-ms` past ``DropAdmissionSettings/maxWait``. Those waiting
/// when the owner answers SOLD_OUT are told at once. So with any number of
/// gateways the owner sees a few hundred Reserves at once, whatever the
/// crowd. In every doubt the owner decides (see ``DropView``).
///
/// Run it as a `Service` (its ``run()`` watches the feeds and expires
/// waiters) for as long as the gateway serves Reserves.
public final class DropAdmission: Service, Sendable {
    /// Watches one campaign's drop: calls `onUpdate` with each update until
    /// it returns false or the feed fails (throws) or ends (returns).
    public typealias Watch =
        @Sendable (
            _ campaignID: String, _ onUpdate: @Sendable (Bigshop_Flashsale_V1_DropUpdate) -> Bool
        ) async throws -> Void

    private let settings: DropAdmissionSettings
    private let watch: Watch
    private let clockMs: @Sendable () -> Int64
    private let logger: Logger
    private let metrics = AdmissionMetrics()
    private let gates = Mutex<[String: CampaignGate]>([:])
    /// Gates whose feed ``run()`` must start.
    private let newGates: AsyncStream<CampaignGate>
    private let newGateSink: AsyncStream<CampaignGate>.Continuation

    /// - Parameters:
    ///   - clockMs: the shop's clock, in milliseconds since 1970.
    ///   - watch: the owner's WatchDrop, through whatever transport reaches it.
    public init(
        settings: DropAdmissionSettings = DropAdmissionSettings(), clockMs: @escaping @Sendable () -> Int64, logger: Logger,
        watch: @escaping Watch
    ) {
        self.settings = settings
        self.clockMs = clockMs
        self.watch = watch
        self.logger = logger
        (newGates, newGateSink) = AsyncStream.makeStream(of: CampaignGate.self)
    }

    /// Runs `reserve` (the call to the owner) for `customer` (a user id)
    /// when this gateway's admission lets it, or throws the answer the
    /// gateway gives instead.
    public func reserve<Result: Sendable>(
        campaignID: String, customer: String, _ reserve: () async throws -> Result
    ) async throws -> Result {
        guard let gate = gate(for: campaignID) else { return try await reserve() }
        try await gate.enter(customer: customer)
        do {
            let result = try await reserve()
            gate.leave(customer: customer, granted: true, ownerSaidSoldOut: false)
            return result
        } catch {
            gate.leave(customer: customer, granted: false, ownerSaidSoldOut: FlashSaleRefusal.isSoldOut(error))
            throw error
        }
    }

    /// The gate of `campaignID`, made (and its feed started) on first use;
    /// nil for an empty id, or past ``DropAdmissionSettings/maxCampaigns``.
    private func gate(for campaignID: String) -> CampaignGate? {
        guard !campaignID.isEmpty, campaignID.utf8.count <= 128 else { return nil }
        let (gate, isNew): (CampaignGate?, Bool) = gates.withLock { gates in
            if let gate = gates[campaignID] { return (gate, false) }
            guard gates.count < settings.maxCampaigns else { return (nil, false) }
            let gate = CampaignGate(
                campaignID: campaignID, settings: settings, metrics: metrics, clockMs: clockMs, now: .now)
            gates[campaignID] = gate
            return (gate, true)
        }
        if let gate, isNew { newGateSink.yield(gate) }
        return gate
    }

    /// The updates of `campaignID`'s drop from this gateway's feed, for a
    /// WatchDrop caller; nil when the gateway keeps no feed for it (too many
    /// campaigns), so that the caller goes to the owner.
    public func updates(campaignID: String) -> AsyncStream<Bigshop_Flashsale_V1_DropUpdate>? {
        gate(for: campaignID)?.updates()
    }

    /// What admission did with Reserves since the gateway started.
    public var counts: AdmissionCounts { metrics.snapshot }

    /// Whether the gateway has a feed for `campaignID` now (for tests).
    func hasFeed(for campaignID: String) -> Bool {
        gates.withLock { $0[campaignID] }?.hasFeed ?? false
    }

    private func forget(_ gate: CampaignGate) {
        gates.withLock { gates in
            if gates[gate.campaignID] === gate { gates[gate.campaignID] = nil }
        }
        gate.retire()
    }

    // MARK: Running

    /// Watches every gate's feed and expires waiters, until cancelled or
    /// shut down gracefully; then lets every waiter through to the owner.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.sweepUntilCancelled() }
                for await gate in self.newGates {
                    group.addTask { await self.follow(gate) }
                }
                group.cancelAll()
            }
        }
        newGateSink.finish()
        for gate in gates.withLock({ Array($0.values) }) { forget(gate) }
    }

    private func sweepUntilCancelled() async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            for gate in gates.withLock({ Array($0.values) }) where gate.sweep(now: now) {
                forget(gate)
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Keeps `gate`'s feed, coming back after failures (the owner restarting
    /// or replaced), until the gate is retired or the task cancelled.
    private func follow(_ gate: CampaignGate) async {
        var pause = Duration.milliseconds(250)
        while !Task.isCancelled, !gate.isRetired {
            let started = ContinuousClock.now
            do {
                try await watch(gate.campaignID) { update in
                    gate.received(update)
                    return !gate.isRetired
                }
                gate.feedLost()
            } catch let error as RPCError where error.code == .notFound {
                // No such campaign: keep nothing for it; the owner answers its Reserves.
                forget(gate)
                return
            } catch {
                gate.feedLost()
                logger.debug(
                    "drop feed lost", metadata: ["campaign-id": "\(gate.campaignID)", "error": "\(error)"])
            }
            if ContinuousClock.now - started > .seconds(5) { pause = .milliseconds(250) }  // it had worked
            let jitter = Duration.milliseconds(Int64.random(in: 0...(pause.saturatingMilliseconds / 2)))
            try? await Task.sleep(for: pause + jitter)
            pause = min(pause * 2, .seconds(2))
        }
    }
}
