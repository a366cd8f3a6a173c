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
public final class FlashSaleModule: Service, Sendable {
    /// The public service.
    public let flashSaleService: FlashSaleServiceProvider
    /// The internal service the checkout saga settles holds with.
    public let holdLedger: HoldLedgerProvider
    private let store: FlashSaleStore
    private let registry: CampaignRegistry
    private let saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client
    private let clock: any ShopClock
    private let logger: Logger

    private init(
        store: FlashSaleStore,
        registry: CampaignRegistry,
        clock: any ShopClock,
        inventory: Bigshop_Catalog_V1_InventoryService.Client,
        saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client,
        logger: Logger
    ) {
        self.store = store
        self.registry = registry
        self.saga = saga
        self.clock = clock
        self.logger = logger
        flashSaleService = FlashSaleServiceProvider(
            registry: registry, store: store, clock: clock, inventory: inventory, saga: saga, logger: logger
        )
        holdLedger = HoldLedgerProvider(registry: registry, store: store, clock: clock, logger: logger)
    }

    /// Opens `flashsale.sqlite` in `storage` and rebuilds every
    /// campaign's units and per-customer counts.
    ///
    /// - Parameter faults: faults to commit on purpose; tests only (see
    ///   ``FlashSaleFaults``).
    public static func open(
        storage: ShopStorage,
        clock: any ShopClock,
        inventory: Bigshop_Catalog_V1_InventoryService.Client,
        saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client,
        faults: FlashSaleFaults = FlashSaleFaults(),
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
        let store = FlashSaleStore(database: database)
        let registry = CampaignRegistry(faults: faults)
        do {
            let nowMs = clock.nowMs()
            for campaign in try await store.campaigns() {
                let holds = try await store.liveHolds(campaignID: campaign.id)
                registry.add(try CampaignEngine(campaign: campaign, liveHolds: holds, nowMs: nowMs, faults: faults))
            }
        } catch {
            await database.close()
            throw error
        }
        return FlashSaleModule(store: store, registry: registry, clock: clock, inventory: inventory, saga: saga, logger: logger)
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
            }
        ])
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
        try await store.insertCampaign(campaign, createdAtMs: nowMs)
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
