import BigRPC
import BigShopCatalogAPI
import Testing

@Suite("CreateProduct", .timeLimit(.minutes(2)))
struct CreateProductTests {
    @Test func createsAProductWithIdAndTimestamps() async throws {
        try await withCatalog { shop in
            let product = try await shop.catalog.createProduct(
                .init(
                    sku: "APL-IPH15-128", name: "iPhone 15 128 GB", description: "Tela de 6,1\"\nUSB-C",
                    priceCents: 529_900, stock: 25, category: "celulares"),
                metadata: CatalogHarness.admin)
            #expect(product.id.hasPrefix("prd_"))
            #expect(product.sku == "APL-IPH15-128")
            #expect(product.name == "iPhone 15 128 GB")
            #expect(product.description == "Tela de 6,1\"\nUSB-C")
            #expect(product.priceCents == 529_900)
            #expect(product.stock == 25)
            #expect(product.category == "celulares")
            #expect(product.createdAtMs == CatalogHarness.startMs)
            #expect(product.updatedAtMs == CatalogHarness.startMs)
            #expect(try await shop.catalog.getProduct(.init(id: product.id)) == product)
        }
    }

    @Test func zeroPriceZeroStockAndEmptyCategoryAreAllowed() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(name: "Brinde", priceCents: 0, stock: 0, category: "")
            #expect(product.priceCents == 0 && product.stock == 0 && product.category.isEmpty)
        }
    }

    @Test func writesRequireAnAdmin() async throws {
        try await withCatalog { shop in
            let request = Bigshop_Catalog_V1_CreateProductRequest(sku: "A-1", name: "Caneca", priceCents: 100, stock: 1)
            await expectRPCError(.unauthenticated) { try await shop.catalog.createProduct(request) }
            await expectRPCError(.permissionDenied) {
                try await shop.catalog.createProduct(request, metadata: CatalogHarness.customer)
            }
            let product = try await shop.createProduct()
            await expectRPCError(.permissionDenied) {
                try await shop.catalog.updateProduct(
                    .init(product: .init(id: product.id, name: "Outro")), metadata: CatalogHarness.customer)
            }
            await expectRPCError(.unauthenticated) { try await shop.catalog.deleteProduct(.init(id: product.id)) }
            await expectRPCError(.permissionDenied) {
                try await shop.catalog.deleteProduct(.init(id: product.id), metadata: CatalogHarness.customer)
            }
            // Reads are public.
            #expect(try await shop.catalog.getProduct(.init(id: product.id)).name == product.name)
            #expect(try await shop.catalog.listProducts(.init()).products.map(\.id) == [product.id])
        }
    }

    @Test func duplicateSkuIsAlreadyExistsIgnoringCase() async throws {
        try await withCatalog { shop in
            try await shop.createProduct(sku: "TV-55-4K")
            await expectRPCError(.alreadyExists, messageContains: "tv-55-4k") {
                try await shop.createProduct(sku: "tv-55-4k")
            }
            await expectRPCError(.alreadyExists) { try await shop.createProduct(sku: "TV-55-4K") }
        }
    }

    @Test func aDeletedProductsSkuCanBeUsedAgain() async throws {
        try await withCatalog { shop in
            let old = try await shop.createProduct(sku: "PS5-SLIM", name: "PS5 antigo")
            _ = try await shop.catalog.deleteProduct(.init(id: old.id), metadata: CatalogHarness.admin)
            let new = try await shop.createProduct(sku: "PS5-SLIM", name: "PS5 novo")
            #expect(new.id != old.id)
            await expectRPCError(.alreadyExists) { try await shop.createProduct(sku: "ps5-slim") }
        }
    }

    @Test(arguments: [
        (Bigshop_Catalog_V1_CreateProductRequest(sku: "", name: "Caneca"), "sku"),
        (.init(sku: "COM ESPACO", name: "Caneca"), "sku"),
        (.init(sku: "CAFÉ-1", name: "Caneca"), "sku"),
        (.init(sku: String(repeating: "X", count: 65), name: "Caneca"), "sku"),
        (.init(sku: "A-1", name: ""), "name"),
        (.init(sku: "A-1", name: "   "), "name"),
        (.init(sku: "A-1", name: String(repeating: "a", count: 201)), "name"),
        (.init(sku: "A-1", name: "Linha\nquebrada"), "name"),
        (.init(sku: "A-1", name: "Caneca", description: String(repeating: "d", count: 5_001)), "description"),
        (.init(sku: "A-1", name: "Caneca", description: "bell\u{7}"), "description"),
        (.init(sku: "A-1", name: "Caneca", priceCents: -1), "price_cents"),
        (.init(sku: "A-1", name: "Caneca", priceCents: 100_000_000_001), "price_cents"),
        (.init(sku: "A-1", name: "Caneca", stock: -1), "stock"),
        (.init(sku: "A-1", name: "Caneca", stock: 1_000_000_001), "stock"),
        (.init(sku: "A-1", name: "Caneca", category: String(repeating: "c", count: 101)), "category"),
    ])
    func invalidFieldsAreInvalidArgumentNamingTheField(request: Bigshop_Catalog_V1_CreateProductRequest, field: String) async throws {
        try await withCatalog { shop in
            let error = await expectRPCError(.invalidArgument) {
                try await shop.catalog.createProduct(request, metadata: CatalogHarness.admin)
            }
            #expect(error?.message.hasPrefix(field + " ") == true, "\(error?.message ?? "")")
            let listed = try await shop.catalog.listProducts(.init())
            #expect(listed.products.isEmpty)
        }
    }

    @Test func maximumLengthsAndValuesAreAccepted() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(
                sku: String(repeating: "S", count: 64), name: String(repeating: "ã", count: 200),
                description: String(repeating: "d", count: 5_000), priceCents: 100_000_000_000,
                stock: 1_000_000_000, category: String(repeating: "c", count: 100))
            #expect(product.name.count == 200)
        }
    }
}
