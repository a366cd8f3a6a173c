import BigRPC
import BigShopCatalogAPI
import Testing

@Suite("LookupProducts", .timeLimit(.minutes(2)))
struct LookupProductsTests {
    @Test func separatesLiveDeletedAndUnknownProducts() async throws {
        try await withCatalog { shop in
            let a = try await shop.createProduct(name: "A")
            let b = try await shop.createProduct(name: "B")
            let gone = try await shop.createProduct(name: "Removido")
            _ = try await shop.catalog.deleteProduct(.init(id: gone.id), metadata: CatalogHarness.admin)

            let response = try await shop.inventory.lookupProducts(.init(ids: [b.id, "prd_unknown", gone.id, a.id, b.id]))
            #expect(response.products == [b, a])
            #expect(response.deletedIds == [gone.id])
            #expect(try await shop.inventory.lookupProducts(.init()) == .init())
        }
    }

    @Test func tooManyIdsIsInvalidArgument() async throws {
        try await withCatalog { shop in
            await expectRPCError(.invalidArgument, messageContains: "ids") {
                try await shop.inventory.lookupProducts(.init(ids: (0...1_000).map { "prd_\($0)" }))
            }
            let most = try await shop.inventory.lookupProducts(.init(ids: (0..<1_000).map { "prd_\($0)" }))
            #expect(most.products.isEmpty)
        }
    }
}
