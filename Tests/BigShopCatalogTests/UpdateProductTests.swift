import BigRPC
import BigShopCatalogAPI
import Testing
import WellKnownProtos

@Suite("UpdateProduct and its FieldMask", .timeLimit(.minutes(2)))
struct UpdateProductTests {
    static let original = Bigshop_Catalog_V1_CreateProductRequest(
        sku: "LG-TV50", name: "Smart TV LG 50\"", description: "4K UHD", priceCents: 229_900, stock: 14, category: "tvs")

    /// A patch that differs from ``original`` in every updatable field.
    static let patch = Bigshop_Catalog_V1_Product(
        sku: "IGNORED", name: "Smart TV LG 50\" UR7800", description: "4K UHD, webOS 23",
        priceCents: 199_900, stock: 20, category: "televisores", createdAtMs: 1, updatedAtMs: 2)

    func update(
        _ shop: CatalogHarness, id: String, paths: [String]?, patch: Bigshop_Catalog_V1_Product = patch
    ) async throws -> Bigshop_Catalog_V1_Product {
        var product = patch
        product.id = id
        return try await shop.catalog.updateProduct(
            .init(product: product, updateMask: paths.map { Google_Protobuf_FieldMask(paths: $0) }),
            metadata: CatalogHarness.admin)
    }

    @Test(arguments: ["name", "description", "price_cents", "stock", "category"])
    func eachPathChangesOnlyItsField(path: String) async throws {
        try await withCatalog { shop in
            let created = try await shop.catalog.createProduct(Self.original, metadata: CatalogHarness.admin)
            shop.clock.advance(byMs: 5_000)
            let updated = try await update(shop, id: created.id, paths: [path])
            var expected = created
            switch path {
            case "name": expected.name = Self.patch.name
            case "description": expected.description = Self.patch.description
            case "price_cents": expected.priceCents = Self.patch.priceCents
            case "stock": expected.stock = Self.patch.stock
            default: expected.category = Self.patch.category
            }
            expected.updatedAtMs = CatalogHarness.startMs + 5_000
            #expect(updated == expected)
            #expect(try await shop.catalog.getProduct(.init(id: created.id)) == expected)
        }
    }

    @Test func severalPathsChangeExactlyThoseFields() async throws {
        try await withCatalog { shop in
            let created = try await shop.catalog.createProduct(Self.original, metadata: CatalogHarness.admin)
            let updated = try await update(shop, id: created.id, paths: ["price_cents", "name", "price_cents"])
            #expect(updated.name == Self.patch.name && updated.priceCents == Self.patch.priceCents)
            #expect(updated.description == created.description && updated.stock == created.stock)
            #expect(updated.category == created.category && updated.sku == created.sku)
            #expect(updated.createdAtMs == created.createdAtMs)
        }
    }

    @Test func aMaskedFieldCanBeResetToItsDefault() async throws {
        try await withCatalog { shop in
            let created = try await shop.catalog.createProduct(Self.original, metadata: CatalogHarness.admin)
            let updated = try await update(
                shop, id: created.id, paths: ["stock", "description", "category"], patch: .init(name: "ignorado"))
            #expect(updated.stock == 0 && updated.description.isEmpty && updated.category.isEmpty)
            #expect(updated.name == created.name)
        }
    }

    @Test func anEmptyMaskUpdatesTheFieldsSetToNonDefaultValues() async throws {
        try await withCatalog { shop in
            let created = try await shop.catalog.createProduct(Self.original, metadata: CatalogHarness.admin)
            // sku, timestamps and zero/empty fields are not applied.
            let partial = Bigshop_Catalog_V1_Product(sku: "OTHER-SKU", name: "Novo nome", priceCents: 1, createdAtMs: 9)
            for paths in [nil, [String]()] {
                let updated = try await update(shop, id: created.id, paths: paths, patch: partial)
                #expect(updated.name == "Novo nome" && updated.priceCents == 1)
                #expect(updated.sku == created.sku && updated.stock == created.stock)
                #expect(updated.description == created.description && updated.category == created.category)
                #expect(updated.createdAtMs == created.createdAtMs)
            }
            let everything = try await update(shop, id: created.id, paths: [])
            #expect(everything.name == Self.patch.name && everything.description == Self.patch.description)
            #expect(everything.priceCents == Self.patch.priceCents && everything.stock == Self.patch.stock)
            #expect(everything.category == Self.patch.category && everything.sku == created.sku)
        }
    }

    @Test func anEmptyMaskWithNothingSetChangesNothing() async throws {
        try await withCatalog { shop in
            let created = try await shop.catalog.createProduct(Self.original, metadata: CatalogHarness.admin)
            shop.clock.advance(byMs: 1_000)
            let same = try await update(shop, id: created.id, paths: [], patch: .init())
            #expect(same == created)
        }
    }

    @Test(arguments: ["color", "Name", "product.name", "*", "", "price"])
    func unknownPathsAreInvalidArgumentNamingThePath(path: String) async throws {
        try await withCatalog { shop in
            let created = try await shop.catalog.createProduct(Self.original, metadata: CatalogHarness.admin)
            await expectRPCError(.invalidArgument, messageContains: "\"\(path)\"") {
                try await update(shop, id: created.id, paths: ["name", path])
            }
            #expect(try await shop.catalog.getProduct(.init(id: created.id)) == created)
        }
    }

    @Test(arguments: ["id", "sku", "created_at_ms", "updated_at_ms"])
    func immutableFieldsCannotBeMasked(path: String) async throws {
        try await withCatalog { shop in
            let created = try await shop.catalog.createProduct(Self.original, metadata: CatalogHarness.admin)
            await expectRPCError(.invalidArgument, messageContains: "\"\(path)\" cannot be updated") {
                try await update(shop, id: created.id, paths: [path])
            }
        }
    }

    @Test func maskedValuesAreValidatedAndUnmaskedOnesIgnored() async throws {
        try await withCatalog { shop in
            let created = try await shop.catalog.createProduct(Self.original, metadata: CatalogHarness.admin)
            let bad = Bigshop_Catalog_V1_Product(name: "", priceCents: -5, stock: -1, category: String(repeating: "c", count: 101))
            await expectRPCError(.invalidArgument, messageContains: "product.price_cents") {
                try await update(shop, id: created.id, paths: ["price_cents"], patch: bad)
            }
            await expectRPCError(.invalidArgument, messageContains: "product.stock") {
                try await update(shop, id: created.id, paths: ["stock"], patch: bad)
            }
            await expectRPCError(.invalidArgument, messageContains: "product.name") {
                try await update(shop, id: created.id, paths: ["name"], patch: bad)
            }
            await expectRPCError(.invalidArgument, messageContains: "product.category") {
                try await update(shop, id: created.id, paths: ["category"], patch: bad)
            }
            // With an empty mask the negative values are non-default, so they apply and fail.
            await expectRPCError(.invalidArgument, messageContains: "product.price_cents") {
                try await update(shop, id: created.id, paths: [], patch: bad)
            }
            var valid = bad
            valid.name = "Só o nome"
            let updated = try await update(shop, id: created.id, paths: ["name"], patch: valid)
            #expect(updated.name == "Só o nome" && updated.priceCents == created.priceCents)
        }
    }

    @Test func missingProductOrIdIsInvalidArgument() async throws {
        try await withCatalog { shop in
            await expectRPCError(.invalidArgument, messageContains: "product is required") {
                try await shop.catalog.updateProduct(.init(), metadata: CatalogHarness.admin)
            }
            await expectRPCError(.invalidArgument, messageContains: "product.id") {
                try await shop.catalog.updateProduct(.init(product: .init(name: "x")), metadata: CatalogHarness.admin)
            }
        }
    }

    @Test func unknownOrDeletedProductIsNotFound() async throws {
        try await withCatalog { shop in
            await expectRPCError(.notFound) { try await update(shop, id: "prd_missing", paths: ["name"]) }
            let created = try await shop.catalog.createProduct(Self.original, metadata: CatalogHarness.admin)
            _ = try await shop.catalog.deleteProduct(.init(id: created.id), metadata: CatalogHarness.admin)
            await expectRPCError(.notFound) { try await update(shop, id: created.id, paths: ["name"]) }
        }
    }

    @Test func restockingSetsTheSellableUnitsAndHeldUnitsComeBackOnTop() async throws {
        try await withCatalog { shop in
            let created = try await shop.catalog.createProduct(Self.original, metadata: CatalogHarness.admin)
            _ = try await shop.reserve("ord_1", [(created.id, 4)])
            #expect(try await shop.stock(of: created.id) == 10)
            var restock = Bigshop_Catalog_V1_Product(stock: 30)
            restock.id = created.id
            let updated = try await shop.catalog.updateProduct(
                .init(product: restock, updateMask: .init(paths: ["stock"])), metadata: CatalogHarness.admin)
            #expect(updated.stock == 30)
            _ = try await shop.release("ord_1")
            #expect(try await shop.stock(of: created.id) == 34)
        }
    }
}
