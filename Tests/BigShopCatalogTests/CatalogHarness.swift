import BigRPC
import BigShopCatalog
import BigShopCatalogAPI
import BigShopServer
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import Foundation
import Testing

/// The catalog of a ``TestShop`` on a real SQLite file, called in process
/// with the test principal interceptor through the generated clients.
struct CatalogHarness {
    static let startMs: Int64 = 1_700_000_000_000
    static let admin = TestPrincipalInterceptor.admin("usr_admin")
    static let customer = TestPrincipalInterceptor.customer("usr_ana")

    let module: CatalogModule
    let catalog: Bigshop_Catalog_V1_CatalogService.Client
    let inventory: Bigshop_Catalog_V1_InventoryService.Client
    let clock: ManualClock
    let directory: String

    init(shop: TestShop, clock: ManualClock) {
        self.directory = shop.dataDirectory
        self.clock = clock
        module = shop.shop.catalog!
        catalog = .init(wrapping: shop.client)
        inventory = .init(wrapping: shop.client)
    }

    /// Creates a product as the admin; unset fields get plausible values.
    @discardableResult
    func createProduct(
        sku: String = "SKU-\(UUID().uuidString.prefix(8))",
        name: String = "Produto de teste",
        description: String = "",
        priceCents: Int64 = 10_000,
        stock: Int64 = 10,
        category: String = "geral"
    ) async throws -> Bigshop_Catalog_V1_Product {
        try await catalog.createProduct(
            .init(sku: sku, name: name, description: description, priceCents: priceCents, stock: stock, category: category),
            metadata: Self.admin)
    }

    /// A live product's stock, as LookupProducts shows it.
    func stock(of productID: String) async throws -> Int64 {
        try #require(try await inventory.lookupProducts(.init(ids: [productID])).products.first).stock
    }

    /// What `catalog.sqlite` holds for a product, deleted or not: its stock and
    /// the units of its HELD and COMMITTED reservation lines.
    func storedUnits(of productID: String) async throws -> StoredUnits {
        try await StoredUnits.read(productID: productID, directory: directory)
    }

    func reserve(_ id: String, _ lines: [(String, Int64)]) async throws -> Bigshop_Catalog_V1_StockReservation {
        try await inventory.reserveStock(
            .init(
                reservationId: id, lines: lines.map { Bigshop_Catalog_V1_StockLine(productId: $0.0, quantity: $0.1) }))
    }

    func release(_ id: String) async throws -> Bigshop_Catalog_V1_StockReservation {
        try await inventory.releaseStock(.init(reservationId: id))
    }

    func commit(_ id: String) async throws -> Bigshop_Catalog_V1_StockReservation {
        try await inventory.commitStock(.init(reservationId: id))
    }
}

/// Runs `body` with a catalog over `directory` (fresh, and removed
/// afterwards, when nil), stopped afterwards.
@discardableResult
func withCatalog<T>(
    directory: String? = nil,
    clock: ManualClock = ManualClock(nowMs: CatalogHarness.startMs),
    _ body: (CatalogHarness) async throws -> T
) async throws -> T {
    try await withShop([.catalog], directory: directory, clock: clock) { shop in
        try await body(CatalogHarness(shop: shop, clock: clock))
    }
}

/// Runs `body` with a fresh directory under the system temp dir, removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("bigshop-catalog-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// Expects `body` to fail with `code` (and `reason`, and a message containing
/// `messageContains`, when given); returns the error.
@discardableResult
func expectRPCError(
    _ code: StatusCode,
    reason: String? = nil,
    messageContains: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> some Any
) async -> RPCError? {
    do {
        let value = try await body()
        Issue.record("expected \(code.name), got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        if let reason {
            #expect(error.metadata[Metadata.reasonKey] == reason, "\(error.metadata)", sourceLocation: sourceLocation)
        }
        if let messageContains {
            #expect(error.message.contains(messageContains), "\(error.message)", sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected RPCError \(code.name), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
