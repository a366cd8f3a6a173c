import BigRPC
import BigShopCatalog
import BigShopCatalogAPI
import Testing

@Suite("GetProduct and DeleteProduct", .timeLimit(.minutes(2)))
struct GetAndDeleteProductTests {
    @Test func getReturnsTheProduct() async throws {
        try await withCatalog { shop in
            let created = try await shop.createProduct(name: "Kindle 16 GB", priceCents: 49_900)
            #expect(try await shop.catalog.getProduct(.init(id: created.id)) == created)
            #expect(try await shop.catalog.getProduct(.init(id: created.id), metadata: CatalogHarness.customer) == created)
        }
    }

    @Test func getOfAnUnknownIdIsNotFoundAndOfNoIdInvalidArgument() async throws {
        try await withCatalog { shop in
            await expectRPCError(.notFound) { try await shop.catalog.getProduct(.init(id: "prd_nope")) }
            await expectRPCError(.invalidArgument, messageContains: "id") { try await shop.catalog.getProduct(.init()) }
            await expectRPCError(.invalidArgument, messageContains: "id") {
                try await shop.catalog.deleteProduct(.init(), metadata: CatalogHarness.admin)
            }
        }
    }

    @Test func aDeletedProductIsNotFoundEverywhereButItsRowStays() async throws {
        try await withCatalog { shop in
            let kept = try await shop.createProduct(name: "Mantida")
            let gone = try await shop.createProduct(name: "Removida", stock: 7)
            shop.clock.advance(byMs: 60_000)
            let response = try await shop.catalog.deleteProduct(.init(id: gone.id), metadata: CatalogHarness.admin)
            #expect(response == Bigshop_Catalog_V1_DeleteProductResponse())
            await expectRPCError(.notFound) { try await shop.catalog.getProduct(.init(id: gone.id)) }
            await expectRPCError(.notFound) {
                try await shop.catalog.deleteProduct(.init(id: gone.id), metadata: CatalogHarness.admin)
            }
            await expectRPCError(.notFound) {
                try await shop.catalog.updateProduct(
                    .init(product: .init(id: gone.id, name: "Volta"), updateMask: .init(paths: ["name"])),
                    metadata: CatalogHarness.admin)
            }
            await expectRPCError(.notFound) {
                try await shop.catalog.deleteProduct(.init(id: "prd_nope"), metadata: CatalogHarness.admin)
            }
            #expect(try await shop.catalog.listProducts(.init()).products.map(\.id) == [kept.id])
            #expect(try await shop.storedUnits(of: gone.id).stock == 7)
        }
    }

    @Test func heldUnitsOfADeletedProductStillReleaseAndCommit() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(name: "Fone JBL", priceCents: 24_900, stock: 10)
            _ = try await shop.reserve("ord_release", [(product.id, 3)])
            _ = try await shop.reserve("ord_commit", [(product.id, 2)])
            _ = try await shop.catalog.deleteProduct(.init(id: product.id), metadata: CatalogHarness.admin)

            // The order keeps its lines: the reservation still names the product at its frozen price.
            let released = try await shop.release("ord_release")
            #expect(released.state == .released)
            #expect(released.lines == [.init(productId: product.id, name: "Fone JBL", quantity: 3, unitPriceCents: 24_900)])
            let committed = try await shop.commit("ord_commit")
            #expect(committed.state == .committed)
            #expect(try await shop.storedUnits(of: product.id) == StoredUnits(stock: 8, held: 0, committed: 2))

            // New reservations of it are refused.
            await expectRPCError(.invalidArgument, messageContains: "deleted") {
                try await shop.reserve("ord_new", [(product.id, 1)])
            }
        }
    }
}
