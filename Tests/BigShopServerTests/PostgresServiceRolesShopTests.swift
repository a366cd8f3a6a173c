import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServer
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopStore
import BigShopTestSupport
import Foundation
import Testing

/// The whole shop in one process on PostgreSQL with a role per service, logged in as a
/// role that is no superuser but may create roles (`--postgres-service-roles on`): it
/// makes `<prefix><service>` roles owning their schemas, and a purchase goes through
/// every service as usual.
@Suite(
    "Shop with PostgreSQL service roles",
    .enabled(if: TestPostgres.isAvailable, "needs BIGSHOP_TEST_POSTGRES_URL (scripts/with-postgres)"), .timeLimit(.minutes(3)))
struct PostgresServiceRolesShopTests {
    static let services = ["auth", "catalog", "orders", "payments", "orchestrator", "flashsale"]

    @Test func aPurchaseGoesThroughWithARolePerService() async throws {
        let login = try await TestPostgres.makeLoginRole("CREATEROLE")
        let schemaPrefix = TestPostgres.uniqueSchema("sr") + "_"
        let storage = PostgresStorage(
            endpoint: login, schemaPrefix: schemaPrefix, writerConnections: 1, readerConnections: 1, rolePrefix: "bigshop_")
        do {
            try await purchaseAndCheckOwners(storage)
        } catch {
            await Self.remove(storage)
            throw error
        }
        await Self.remove(storage)
    }

    static func remove(_ storage: PostgresStorage) async {
        for service in services { await TestPostgres.dropSchema(storage.schemaPrefix + service) }
        await TestPostgres.dropRoles(services.compactMap { storage.role(forService: $0) } + [storage.endpoint.username])
    }

    func purchaseAndCheckOwners(_ storage: PostgresStorage) async throws {
        let login = storage.endpoint
        let schemaPrefix = storage.schemaPrefix
        try await withShop(assemble: { $0.storage = .postgres(storage) }) { shop in
            let admin = try await shop.admin()
            let notebook = try await OrderJourneyTests.product(admin, stock: 3, price: 99_000)
            let (ana, _) = try await shop.newCustomer("ana")
            _ = try await ana.orders.setCartItem(.init(productId: notebook.id, quantity: 1))
            let order = try await ana.orders.checkout(.init())
            let paid = try await ana.payments.pay(.init(orderId: order.id, method: .card(OrderJourneyTests.approvedCard)))
            #expect(paid.status == .approved)
            #expect(try await ana.orders.getOrder(.init(id: order.id)).status == .confirmed)
            #expect(try await admin.catalog.getProduct(.init(id: notebook.id)).stock == 2)
        }
        // Each schema belongs to its service's role, which is NOLOGIN and granted to the login role.
        let database = try await Database(
            location: .postgres(login, schema: schemaPrefix + "orders"),
            configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        let owners = try await database.read { connection in
            try connection.query(
                """
                SELECT n.nspname::text, r.rolname::text, r.rolcanlogin, pg_has_role(session_user, r.oid, 'MEMBER')
                FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
                WHERE starts_with(n.nspname, ?) ORDER BY 1
                """, .text(schemaPrefix)
            ).map { [try $0.string(0), try $0.string(1), "\(try $0.int(2))", "\(try $0.int(3))"] }
        }
        await database.close()
        #expect(owners == Self.services.sorted().map { [schemaPrefix + $0, "bigshop_" + schemaPrefix + $0, "0", "1"] })
    }
}
