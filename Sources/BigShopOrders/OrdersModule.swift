public import BigShopCatalogAPI
public import BigShopOrchestratorAPI
public import BigShopServiceKit
import BigShopStore
public import Logging
public import ServiceLifecycle

/// The orders service, ready to serve: the public `OrdersService` and the
/// internal `OrderLedger` over one database, `<storage>/orders.sqlite`.
///
/// On PostgreSQL several replicas may share the database: a status change
/// committed by any of them reaches the order watchers of all of them
/// (LISTEN/NOTIFY after commit; each watcher reads what it missed by `seq`).
///
/// ```swift
/// let orders = try await OrdersModule.open(
///     storage: .sqlite(directory: "/var/lib/bigshop"), clock: SystemClock(),
///     inventory: inventoryClient, saga: sagaClient)
/// let server = RPCServer(services: [orders.ordersService, orders.orderLedger])
/// try await orders.run()  // in a ServiceGroup, after the services it calls
/// ```
public final class OrdersModule: Service, Sendable {
    /// The public `bigshop.orders.v1.OrdersService`.
    public let ordersService: OrdersServiceProvider
    /// The internal `bigshop.orders.v1.OrderLedger`, for the checkout saga
    /// and the history service.
    public let orderLedger: OrderLedgerProvider

    private let database: Database
    private let hub: OrderEventHub
    /// Hears the changes other replicas commit (PostgreSQL; inert on SQLite).
    let listener: DatabaseListener
    private let work: ServiceWork

    private init(
        database: Database, hub: OrderEventHub, listener: DatabaseListener, work: ServiceWork,
        ordersService: OrdersServiceProvider, orderLedger: OrderLedgerProvider
    ) {
        self.database = database
        self.hub = hub
        self.listener = listener
        self.work = work
        self.ordersService = ordersService
        self.orderLedger = orderLedger
    }

    /// Opens (creating or migrating) `<storage>/orders.sqlite` and
    /// builds both services.
    ///
    /// - Parameters:
    ///   - clock: the time of orders and status events.
    ///   - inventory: the catalog's `InventoryService`, for cart prices.
    ///   - saga: the orchestrator's `CheckoutSaga`, which Checkout and
    ///     CancelOrder delegate to.
    public static func open(
        storage: ShopStorage,
        clock: any ShopClock,
        inventory: Bigshop_Catalog_V1_InventoryService.Client,
        saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client,
        settings: OrdersSettings = OrdersSettings(),
        logger: Logger = Logger(label: "bigshop.orders")
    ) async throws -> OrdersModule {
        // synchronous=FULL: the saga moves on once an order is created or
        // confirmed here; a power loss must not take the order back.
        let database = try await ServiceDatabase.open(
            named: "orders", in: storage, migrations: OrdersSchema.migrations,
            configuration: DatabaseConfiguration(synchronous: .full))
        let hub = OrderEventHub(bufferCapacity: settings.watcherBufferCapacity)
        // Replicas on one PostgreSQL database: every committed change reaches
        // this replica's watchers too (see OrderEventNotice).
        let listener: DatabaseListener
        do {
            listener = try await DatabaseListener.start(
                on: database.location, channel: OrderEventNotice.channel, logger: logger
            ) { notification in hub.receive(notification) }
        } catch {
            await database.close()
            throw error
        }
        let book = OrderStore(database: database, clock: clock, hub: hub, logger: logger)
        let carts = ShoppingCarts(store: CartStore(database: database), inventory: inventory, settings: settings)
        let work = ServiceWork()
        return OrdersModule(
            database: database, hub: hub, listener: listener, work: work,
            ordersService: OrdersServiceProvider(book: book, carts: carts, saga: saga, work: work),
            orderLedger: OrderLedgerProvider(
                book: book, carts: carts, feed: OrderEventFeed(book: book, hub: hub, logger: logger), settings: settings))
    }

    /// Serves until a graceful shutdown, then lets every checkout and
    /// cancellation in flight finish, ends every order watch (UNAVAILABLE)
    /// and closes the database. Calls made afterwards fail.
    public func run() async {
        await work.run()
        await listener.close()
        hub.close()
        await database.close()
    }
}
