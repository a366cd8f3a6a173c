public import BigShopCatalogAPI
public import BigShopFlashSaleAPI
public import BigShopOrchestratorAPI
public import BigShopServiceKit
import BigShopStore
public import Logging
public import ServiceLifecycle

/// The flash sale: the public FlashSaleService and the internal HoldLedger
/// over one database, for the server assembly.
///
/// At open, every campaign's engine is rebuilt from the database: the units
/// of every drop started so far, minus those in live (held or sold) holds, so
/// after a crash nothing is sold twice and every hold a customer was told
/// about is still there.
///
/// **One owner.** The rings live in one instance at a time: the holder of
/// the `flashsale-owner` lease (``ServiceLease``). Several replicas on one
/// PostgreSQL database take turns: a standby renews its claim every
/// ``renewalInterval`` and, once the owner's lease has lapsed (it died, or
/// was paused), takes it over with a new epoch, rebuilds the rings from the
/// durable holds and serves. Every write is fenced by the epoch, so a paused
/// old owner commits nothing after the takeover, and no unit is sold twice.
public final class FlashSaleModule: Service, Sendable {
    /// The public service.
    public let flashSaleService: FlashSaleServiceProvider
    /// The internal service the checkout saga settles holds with.
    public let holdLedger: HoldLedgerProvider
    private let store: FlashSaleStore
    private let registry: CampaignRegistry
    private let ownership: FlashSaleOwnership
    private let saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client
    private let clock: any ShopClock
    private let logger: Logger

    private init(
        store: FlashSaleStore,
        registry: CampaignRegistry,
        ownership: FlashSaleOwnership,
        clock: any ShopClock,
        inventory: Bigshop_Catalog_V1_InventoryService.Client,
        saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client,
        logger: Logger
    ) {
        self.store = store
        self.registry = registry
        self.ownership = ownership
        self.saga = saga
        self.clock = clock
        self.logger = logger
        flashSaleService = FlashSaleServiceProvider(
            registry: registry, store: store, ownership: ownership, clock: clock, inventory: inventory, saga: saga,
            logger: logger
        )
        holdLedger = HoldLedgerProvider(registry: registry, store: store, ownership: ownership, clock: clock, logger: logger)
    }

    /// Opens `flashsale.sqlite` in `storage` and rebuilds every
    /// campaign's units and per-customer counts.
    ///
    /// - Parameters:
    ///   - faults: faults to commit on purpose; tests only (see
    ///     ``FlashSaleFaults``).
    ///   - instance: this process, as the lease names it.
    ///   - replicas: how a standby reaches the owner to forward calls; nil
    ///     answers them UNAVAILABLE with `retry-after-ms` instead.
    public static func open(
        storage: ShopStorage,
        clock: any ShopClock,
        inventory: Bigshop_Catalog_V1_InventoryService.Client,
        saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client,
        faults: FlashSaleFaults = FlashSaleFaults(),
        instance: ServiceInstance = ServiceInstance(),
        replicas: (any ReplicaTransports)? = nil,
        logger: Logger = Logger(label: "bigshop.flashsale")
    ) async throws -> FlashSaleModule {
        if faults.any {
            logger.critical("TEST FAULTS ON: this flash sale breaks its promises on purpose", metadata: ["faults": "\(faults)"])
        }
        // synchronous=FULL: a hold a customer was told about must survive a
        // power loss (holds are group-committed, so one fsync covers a burst).
        let database = try await ServiceDatabase.open(
            named: "flashsale", in: storage, migrations: FlashSaleSchema.migrations,
            configuration: DatabaseConfiguration(synchronous: .full)
        )
        let store = FlashSaleStore(
            database: database,
            lease: ServiceLease(name: ownerLeaseName, holder: instance.id, address: instance.internalAddress, ttlMs: leaseTTLMs))
        let module = FlashSaleModule(
            store: store, registry: CampaignRegistry(faults: faults),
            ownership: FlashSaleOwnership(lease: store.lease, replicas: replicas), clock: clock, inventory: inventory, saga: saga, logger: logger)
        do {
            // A SQLite file has one process: a lease left by its previous
            // incarnation (killed) is dead, so take it over at once.
            try await module.claimOwnership(evenIfLive: storage.directory != nil)
        } catch {
            await database.close()
            throw error
        }
        return module
    }

    /// The lease of the flash sale's owner.
    static let ownerLeaseName = "flashsale-owner"
    /// How long the owner's lease lasts unrenewed: a standby serves within
    /// about this long (plus one renewal) after the owner dies.
    static let leaseTTLMs: Int64 = 3_000
    /// How often the owner renews its lease, and a standby tries to take it.
    static let renewalInterval = Duration.milliseconds(leaseTTLMs / 3)

    /// The instance that holds the lease, as this instance last saw it.
    public var ownerRole: String {
        switch ownership.role {
        case .owner(let epoch): "owner (epoch \(epoch))"
        case .standby(let state): "standby (owner \(state?.holder ?? "unknown"))"
        }
    }

    /// `true` while this instance holds the lease and serves the rings.
    public var isOwner: Bool {
        if case .owner = ownership.role { return true }
        return false
    }

    /// Takes or renews the owner's lease. On a takeover (or the first
    /// claim) the rings are rebuilt from the database, after the lease is
    /// ours: every hold the previous owner committed is then visible, and it
    /// can commit no more. Losing the lease drops the rings.
    func claimOwnership(evenIfLive: Bool = false) async throws {
        let outcome = try await store.acquireLease(evenIfLive: evenIfLive)
        switch outcome {
        case .held(let epoch, let tookOver):
            guard tookOver || ownership.role != .owner(epoch: epoch) else { return }
            let nowMs = clock.nowMs()
            var engines: [CampaignEngine] = []
            for campaign in try await store.campaigns() {
                let holds = try await store.liveHolds(campaignID: campaign.id)
                engines.append(try CampaignEngine(campaign: campaign, liveHolds: holds, nowMs: nowMs, faults: registry.faults))
            }
            registry.replaceAll(with: engines)
            ownership.set(.owner(epoch: epoch))
            logger.notice("flash-sale owner", metadata: ["epoch": "\(epoch)", "campaigns": "\(engines.count)"])
        case .heldByOther(let state):
            if case .owner(let epoch) = ownership.role {
                logger.warning("flash-sale lease lost", metadata: ["epoch": "\(epoch)", "new-owner": "\(state.holder)"])
                ownership.set(.standby(state))
                registry.replaceAll(with: [])
            } else if ownership.role != .standby(state) {
                ownership.set(.standby(state))
            }
        }
    }

    /// Makes sure every held unit has its order: a crash (or a failed call)
    /// between recording a hold and creating its order leaves a hold the
    /// saga does not know. Creating an order is idempotent per order id, so
    /// holds that have one are untouched. Returns how many holds were checked.
    @discardableResult
    public func reconcileHolds(olderThanMs minimumAgeMs: Int64 = 0) async -> Int {
        let nowMs = clock.nowMs()
        var checked = 0
        for engine in registry.engines {
            let holds: [Hold]
            do {
                holds = try await store.liveHolds(campaignID: engine.campaign.id)
            } catch {
                logger.error("cannot read holds", metadata: ["campaign-id": "\(engine.campaign.id)", "error": "\(error)"])
                continue
            }
            for hold in holds where hold.state == .held && nowMs - hold.createdAtMs >= minimumAgeMs {
                do {
                    _ = try await HoldOrders.create(for: hold, campaign: engine.campaign, saga: saga)
                    checked += 1
                } catch {
                    logger.warning("hold order not created yet", metadata: ["order-id": "\(hold.orderID)", "error": "\(error)"])
                }
            }
        }
        return checked
    }

    /// Reconciles every hold at once (a crash may have left some without an
    /// order; a shutdown lets this finish), then every 30 s those old enough
    /// that their Reserve call has finished, until a graceful shutdown; then
    /// closes the database.
    public func run() async {
        let work = ServiceWork()
        work.start { await self.reconcileHolds() }
        await work.run(loops: [
            {
                while (try? await Task.sleep(for: .seconds(30))) != nil {
                    await self.reconcileHolds(olderThanMs: 10_000)
                }
            },
            {
                while (try? await Task.sleep(for: Self.renewalInterval)) != nil {
                    do {
                        try await self.claimOwnership()
                    } catch {
                        // The database is unreachable: writes fail (fenced) until it is back.
                        self.logger.error("cannot renew the flash-sale lease", metadata: ["error": "\(error)"])
                    }
                }
            },
        ])
        if isOwner {
            // A standby takes over at its next try, not after the lease's expiry.
            try? await store.releaseLease()
        }
        await ownership.replicas?.close()
        await store.database.close()
    }

    /// Schedules the demo campaign of `bigshop serve --seed-demo` (see
    /// ``Campaign/demo(id:productID:productName:nowMs:)``) on the product
    /// `productID`, unless a campaign was ever scheduled: like the demo
    /// catalog, it seeds an empty shop only.
    ///
    /// - Returns: the campaign scheduled, or nil if there was one already.
    public func seedDemoCampaign(productID: String, productName: String) async throws -> Bigshop_Flashsale_V1_Campaign? {
        guard try await store.campaigns().isEmpty else { return nil }
        let nowMs = clock.nowMs()
        let campaign = Campaign.demo(id: ShopID.make("cmp"), productID: productID, productName: productName, nowMs: nowMs)
        try await store.insertCampaign(campaign, createdAtMs: nowMs, epoch: try ownership.ownerEpoch())
        registry.add(try CampaignEngine(campaign: campaign, liveHolds: [], nowMs: nowMs, faults: registry.faults))
        return campaign.message
    }

    /// Sets every campaign's remaining-units and current-drop gauges to
    /// their values now (before a metrics scrape: units come back to the
    /// pool, and drops open, without a Reserve call).
    public func recordGauges() {
        let nowMs = clock.nowMs()
        for engine in registry.engines { FlashSaleMetrics.remaining(engine, atMs: nowMs) }
    }

    /// Hold counts of a campaign by state (held, sold, released), for tests
    /// and operations.
    public func holdCounts(campaignID: String) async throws -> (held: Int, sold: Int, released: Int) {
        let counts = try await store.holdCounts(campaignID: campaignID)
        return (counts[.held] ?? 0, counts[.sold] ?? 0, counts[.released] ?? 0)
    }
}
