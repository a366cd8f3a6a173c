import BigRPC
import BigShopCatalogAPI
import Testing

@testable import BigShopCatalog

@Suite("Demo catalog", .timeLimit(.minutes(2)))
struct DemoCatalogTests {
    @Test func seedsAnEmptyCatalogOnce() async throws {
        try await withCatalog { shop in
            #expect(try await shop.module.seedDemoCatalog() == 12)
            let products = try await shop.catalog.listProducts(.init()).products
            #expect(products.count == 12)
            #expect(Set(products.map(\.sku)).count == 12)
            #expect(products.allSatisfy { $0.priceCents > 0 && $0.stock > 0 && !$0.category.isEmpty })
            #expect(products.contains { $0.name.hasPrefix("iPhone") })
            #expect(try await shop.catalog.listProducts(.init(query: "smart tv")).products.count == 2)

            let categories = try await shop.catalog.listCategories(.init()).categories
            #expect(categories.count == DemoCatalog.categories.count)
            #expect(products.allSatisfy { product in categories.contains { $0.id == product.categoryId } })
            let informatica = try await shop.catalog.getCategory(.init(slug: "informatica"))
            let computers = try await shop.catalog.listProducts(.init(categoryId: informatica.id)).products
            #expect(computers.count == 2 && computers.allSatisfy { $0.category == "notebooks" })

            #expect(try await shop.module.seedDemoCatalog() == 0)
            #expect(try await shop.catalog.listProducts(.init()).products.count == 12)
        }
    }

    @Test func leavesACatalogWithProductsAlone() async throws {
        try await withCatalog { shop in
            let only = try await shop.createProduct(name: "Único")
            _ = try await shop.catalog.deleteProduct(.init(id: only.id), metadata: CatalogHarness.admin)
            #expect(try await shop.module.seedDemoCatalog() == 0)
            #expect(try await shop.catalog.listProducts(.init()).products.isEmpty)
        }
    }

    @Test func seededProductsPassTheCatalogsOwnValidation() async throws {
        try await withCatalog { source in
            try await source.module.seedDemoCatalog()
            let seeded = try await source.catalog.listProducts(.init()).products
            try await withCatalog { target in
                for product in seeded {
                    let copy = try await target.catalog.createProduct(
                        .init(
                            sku: product.sku, name: product.name, description: product.description,
                            priceCents: product.priceCents, stock: product.stock, category: product.category),
                        metadata: CatalogHarness.admin)
                    #expect(copy.name == product.name)
                }
            }
        }
    }
}
