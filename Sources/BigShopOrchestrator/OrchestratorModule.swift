public import BigShopCatalogAPI
public import BigShopFlashSaleAPI
public import BigShopOrdersAPI
public import BigShopPaymentsAPI
public import BigShopServiceKit
import BigShopStore
public import Logging
public import ServiceLifecycle
import Synchronization

/// The orchestrator, ready to serve: the internal `CheckoutSaga` over its
/// saga log, `<storage>/orchestrator.sqlite`.
///
/// ```swift
/// let orchestrator = try await OrchestratorModule.open(
///     storage: .sqlite(directory: "/var/lib/bigshop"), clock: SystemClock(),
///     orderLedger: orderLedger, inventory: inventory, payments: paymentLedger, holds: holdLedger)
/// // once the services it calls answer, and before serving:
/// try await orchestrator.recover()
/// // in a ServiceGroup, after the services it calls:
/// try await orchestrator.run()
/// ```
public final class OrchestratorModule: Service, Sendable {
    /// The internal `bigshop.orchestrator.v1.CheckoutSaga`.
    public let sagaService: CheckoutSagaProvider

    let coordinator: SagaCoordinator
    private let database: Database
    private let lease: ServiceLease
    /// One process per SQLite file: it always leads.
    private let isOnlyInstance: Bool
    private let leader = Mutex<Int64?>(nil)
    private let logger: Logger

    private init(coordinator: SagaCoordinator, database: Database, lease: ServiceLease, isOnlyInstance: Bool, logger: Logger) {
        self.coordinator = coordinator
        self.lease = lease
        self.isOnlyInstance = isOnlyInstance
        self.logger = logger
        self.database = database
        self.sagaService = CheckoutSagaProvider(coordinator: coordinator)
    }

    /// Opens (creating or migrating) `<storage>/orchestrator.sqlite`.
    ///
    /// - Parameters:
    ///   - clock: the time of payment windows and the expiry scanner.
    ///   - orderLedger: Orders' `OrderLedger`: carts and orders.
    ///   - inventory: the catalog's `InventoryService`: cart stock.
    ///   - payments: Payments' `PaymentLedger`: closing and auditing payments.
    ///   - holds: the flash sale's `HoldLedger`: flash-sale units.
    public static func open(
        storage: ShopStorage,
        clock: any ShopClock,
        settings: OrchestratorSettings = OrchestratorSettings(),
        orderLedger: Bigshop_Orders_V1_OrderLedger.Client,
        inventory: Bigshop_Catalog_V1_InventoryService.Client,
        payments: Bigshop_Payments_V1_PaymentLedger.Client,
        holds: Bigshop_Flashsale_V1_HoldLedger.Client,
        instance: ServiceInstance = ServiceInstance(),
        logger: Logger = Logger(label: "bigshop.orchestrator")
    ) async throws -> OrchestratorModule {
        // synchronous=FULL: the saga log decides every flow after a restart;
        // losing its last transitions to a power loss would break the
        // invariants between payments, orders and stock.
        let database = try await ServiceDatabase.open(
            named: "orchestrator", in: storage, migrations: SagaSchema.migrations,
            configuration: DatabaseConfiguration(synchronous: .full))
        let steps = SagaSteps(
            orderLedger: orderLedger, inventory: inventory, payments: payments, holds: holds,
            runner: StepRunner(retry: settings.stepRetry, logger: logger))
        let coordinator = SagaCoordinator(
            store: SagaStore(database: database), steps: steps, clock: clock, settings: settings, logger: logger)
        let module = OrchestratorModule(
            coordinator: coordinator, database: database,
            lease: ServiceLease(
                name: "orchestrator-leader", holder: instance.id, address: instance.internalAddress,
                ttlMs: max(1_500, Self.milliseconds(settings.leaderLeaseTTL))),
            isOnlyInstance: settings.soleInstance ?? (storage.directory != nil), logger: logger)
        do {
            try await module.claimLeadership()
        } catch {
            await database.close()
            throw error
        }
        return module
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000).partialValue + attoseconds / 1_000_000_000_000_000
    }

    /// How old a saga's last step must be before a leader recovers it while
    /// other replicas may be driving it: longer than a step's retries last.
    static let replicaRecoveryGraceMs: Int64 = 120_000

    /// `true` while this instance holds the `orchestrator-leader` lease:
    /// only the leader recovers sagas (every replica serves calls and
    /// expires unpaid orders; those transitions are compare-and-set).
    public var isLeader: Bool { leader.withLock { $0 != nil } }

    /// Takes or renews the leader's lease (at once on a SQLite file, whose
    /// previous process is gone).
    func claimLeadership() async throws {
        let lease = self.lease
        let evenIfLive = isOnlyInstance
        let outcome = try await database.write { try lease.acquire(in: $0, evenIfLive: evenIfLive) }
        let (was, now): (Int64?, Int64?) = leader.withLock { current in
            let previous = current
            if case .held(let epoch, _) = outcome { current = epoch } else { current = nil }
            return (previous, current)
        }
        if was != now {
            logger.notice(
                now != nil ? "orchestrator leader" : "orchestrator follower",
                metadata: ["epoch": "\(now.map(String.init) ?? "-")"])
        }
    }

    /// Resumes or compensates every saga a previous run left between steps
    /// (see `docs/CHECKOUT.md`): once the services it calls answer, and
    /// before serving. Sagas awaiting payment are left to the expiry
    /// scanner. Returns how many sagas it found.
    ///
    /// Only the leader recovers (a follower returns 0); on PostgreSQL, with
    /// other replicas possibly mid-flow, only sagas untouched for
    /// ``replicaRecoveryGraceMs``.
    @discardableResult
    public func recover() async throws -> Int {
        guard isLeader else {
            logger.info("sagas left to the leader's recovery")
            return 0
        }
        return try await coordinator.recover(untouchedForMs: isOnlyInstance ? 0 : Self.replicaRecoveryGraceMs)
    }

    /// Runs the flows and the expiry scanner (which cancels every order
    /// whose payment window closes unpaid, with reason `PAYMENT_EXPIRED`)
    /// until a graceful shutdown; then stops the flows still running (as a
    /// crash would: the next ``recover()`` resumes them) and closes the
    /// database.
    public func run() async {
        let coordinator = self.coordinator
        await coordinator.work.run(loops: [
            { await coordinator.runExpiryScanner() },
            {
                // Replicas: renew the lease every second; the leader recovers
                // the sagas a dead replica left, every 30 s.
                guard !self.isOnlyInstance else { return }
                var sinceRecovery = 0
                while (try? await Task.sleep(for: .seconds(1))) != nil {
                    do {
                        try await self.claimLeadership()
                        sinceRecovery += 1
                        if self.isLeader, sinceRecovery >= 30 {
                            sinceRecovery = 0
                            _ = try await self.recover()
                        }
                    } catch {
                        self.logger.error("orchestrator lease or recovery failed", metadata: ["error": "\(error)"])
                    }
                }
            },
        ])
        if isLeader, !isOnlyInstance {
            let lease = self.lease
            try? await database.write { try lease.release(in: $0) }
        }
        await database.close()
    }
}
