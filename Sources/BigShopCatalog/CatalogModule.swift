import BigShopCatalogAPI
public import BigShopServiceKit
import BigShopStore
public import Logging
public import ServiceLifecycle

/// The catalog service of the server assembly: its database
/// (`<storage>/catalog.sqlite`, migrations namespace `catalog`) and the
/// two services over it.
///
/// ```swift
/// let catalog = try await CatalogModule.open(storage: .sqlite(directory: "./data"), clock: SystemClock(), logger: logger)
/// let publicServer = RPCServer(services: [catalog.catalogService, …], interceptors: [gateway])
/// let internalServer = RPCServer(services: [catalog.inventoryService, …])
/// try await catalog.run()  // in a ServiceGroup, before the servers
/// ```
public final class CatalogModule: Service, Sendable {
    /// The public `CatalogService`: expose it through the gateway.
    public let catalogService: CatalogServiceProvider
    /// The internal `InventoryService`: serve it in process only.
    public let inventoryService: InventoryServiceProvider

    private let database: Database
    private let clock: any ShopClock

    private init(database: Database, clock: any ShopClock, logger: Logger) {
        self.database = database
        self.clock = clock
        self.catalogService = CatalogServiceProvider(database: database, clock: clock, logger: logger)
        self.inventoryService = InventoryServiceProvider(database: database, clock: clock, logger: logger)
    }

    /// Opens (creating and migrating if needed) `catalog.sqlite` in
    /// `storage` (a SQLite directory must exist).
    ///
    /// - Parameters:
    ///   - clock: the source of `created_at_ms`, `updated_at_ms` and
    ///     reservation times.
    ///   - logger: where the services log, each line with its call's `request-id`.
    public static func open(
        storage: ShopStorage,
        clock: any ShopClock,
        logger: Logger = Logger(label: "bigshop.catalog")
    ) async throws -> CatalogModule {
        // synchronous=FULL: a stock reservation the saga was told about must
        // survive a power loss, or the units could be sold twice.
        let database = try await ServiceDatabase.open(
            named: "catalog", in: storage, migrations: CatalogSchema.migrations,
            configuration: DatabaseConfiguration(synchronous: .full))
        return CatalogModule(database: database, clock: clock, logger: logger)
    }

    /// Inserts a small demo catalog (a category tree and a dozen products of
    /// a Brazilian electronics shop) if no product was ever created, deleted
    /// ones included, so a catalog an admin emptied stays empty.
    ///
    /// - Returns: the number of products inserted: 12, or 0.
    @discardableResult
    public func seedDemoCatalog() async throws -> Int {
        let clock = self.clock
        return try await database.write { connection -> Int in
            guard try ProductStore.countIncludingDeleted(in: connection) == 0 else { return 0 }
            let nowMs = clock.nowMs()
            var idsBySlug: [String: String] = [:]
            if try CategoryStore.tree(in: connection).count == 0 {
                for demo in DemoCatalog.categories {
                    let category = Bigshop_Catalog_V1_Category(
                        id: ShopID.make("cat"), slug: demo.slug, name: demo.name,
                        parentId: idsBySlug[demo.parentSlug] ?? "", position: demo.position, createdAtMs: nowMs,
                        updatedAtMs: nowMs)
                    try CategoryStore.insert(category, in: connection)
                    idsBySlug[demo.slug] = category.id
                }
            }
            for request in DemoCatalog.products {
                try ProductStore.insert(
                    Bigshop_Catalog_V1_Product(
                        id: ShopID.make("prd"), sku: request.sku, name: request.name, description: request.description,
                        priceCents: request.priceCents, stock: request.stock, category: request.category,
                        createdAtMs: nowMs, updatedAtMs: nowMs, categoryId: idsBySlug[request.category] ?? ""),
                    in: connection)
            }
            return DemoCatalog.products.count
        }
    }

    /// The demo iPhone of ``seedDemoCatalog()``, which the demo flash-sale
    /// campaign sells; nil if it is not in the catalog (deleted, or the
    /// catalog was not seeded).
    public func demoFlashSaleProduct() async throws -> (id: String, name: String)? {
        try await database.read { connection in
            try connection.queryOne(
                "SELECT id, name FROM products WHERE sku = ? AND deleted_at_ms IS NULL", .text(DemoCatalog.flashSaleSKU)
            ).map { (id: try $0.string(0), name: try $0.string(1)) }
        }
    }

    /// Waits for a graceful shutdown, then finishes queued database work
    /// and closes the database. Calls made afterwards fail (INTERNAL).
    public func run() async {
        try? await gracefulShutdown()
        await database.close()
    }
}
