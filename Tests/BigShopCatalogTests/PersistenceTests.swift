import BigRPC
import BigShopCatalog
import BigShopCatalogAPI
import BigShopServiceKit
import Testing

@Suite("Persistence", .timeLimit(.minutes(2)))
struct PersistenceTests {
    @Test func everythingSurvivesCloseAndReopen() async throws {
        try await withTemporaryDirectory { directory in
            let clock = ManualClock(nowMs: CatalogHarness.startMs)
            let (kept, gone, other, page) = try await withCatalog(directory: directory, clock: clock) { before in
                let kept = try await before.createProduct(sku: "KEEP-1", name: "Mantido", stock: 10, category: "a")
                let gone = try await before.createProduct(sku: "GONE-1", name: "Removido", stock: 5)
                let other = try await before.createProduct(sku: "OTHER-1", name: "Outro")
                _ = try await before.reserve("ord_held", [(kept.id, 3), (gone.id, 2)])
                _ = try await before.reserve("ord_sold", [(kept.id, 1)])
                _ = try await before.commit("ord_sold")
                _ = try await before.catalog.deleteProduct(.init(id: gone.id), metadata: CatalogHarness.admin)
                let page = try await before.catalog.listProducts(.init(pageSize: 1))
                #expect(page.products.map(\.id) == [kept.id])
                return (kept, gone, other, page)
            }

            clock.advance(byMs: 1_000)
            try await withCatalog(directory: directory, clock: clock) { after in
                var expected = kept
                expected.stock = 6
                #expect(try await after.catalog.getProduct(.init(id: kept.id)) == expected)
                await expectRPCError(.notFound) { try await after.catalog.getProduct(.init(id: gone.id)) }
                await expectRPCError(.alreadyExists) { try await after.createProduct(sku: "keep-1") }
                #expect(try await after.reserve("ord_held", []).state == .held)
                #expect(try await after.reserve("ord_sold", []).state == .committed)

                // A page token from before the restart still continues the listing.
                let newer = try await after.createProduct(sku: "NEW-1", name: "Novo")
                let rest = try await after.catalog.listProducts(.init(pageSize: 5, pageToken: page.nextPageToken))
                #expect(rest.products.map(\.id) == [other.id, newer.id])

                let released = try await after.release("ord_held")
                #expect(released.lines.map(\.quantity) == [3, 2])
                #expect(try await after.stock(of: kept.id) == 9)
                #expect(try await after.storedUnits(of: gone.id) == StoredUnits(stock: 5, held: 0, committed: 0))
            }
        }
    }
}
