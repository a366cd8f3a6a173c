import BigRPC
import BigShopCatalogAPI
import BigShopServiceKit
import BigShopStore
import BigShopTestSupport
import Testing
import WellKnownProtos

@testable import BigShopCatalog

@Suite("Categories", .timeLimit(.minutes(3)))
struct CategoryTests {
    @discardableResult
    func create(
        _ shop: CatalogHarness, _ slug: String, parent: String = "", position: Int32 = 0, name: String? = nil
    ) async throws -> Bigshop_Catalog_V1_Category {
        try await shop.catalog.createCategory(
            .init(slug: slug, name: name ?? slug.capitalized, parentId: parent, position: position),
            metadata: CatalogHarness.admin)
    }

    func product(_ shop: CatalogHarness, _ name: String, in categoryID: String) async throws -> Bigshop_Catalog_V1_Product {
        try await shop.catalog.createProduct(
            .init(sku: "SKU-\(ShopID.make("t"))", name: name, priceCents: 100, stock: 1, categoryId: categoryID),
            metadata: CatalogHarness.admin)
    }

    func update(
        _ shop: CatalogHarness, _ category: Bigshop_Catalog_V1_Category, paths: [String]
    ) async throws -> Bigshop_Catalog_V1_Category {
        try await shop.catalog.updateCategory(
            .init(category: category, updateMask: Google_Protobuf_FieldMask(paths: paths)), metadata: CatalogHarness.admin)
    }

    @Test func buildsATreeThreeLevelsDeepAndListsItDepthFirst() async throws {
        try await withCatalog { shop in
            let casa = try await create(shop, "casa", position: 2)
            let celulares = try await create(shop, "celulares", position: 1)
            let cozinha = try await create(shop, "cozinha", parent: casa.id, position: 5)
            let banho = try await create(shop, "banho", parent: casa.id, position: 5)
            let panelas = try await create(shop, "panelas", parent: cozinha.id)
            #expect(casa.depth == 1 && cozinha.depth == 2 && panelas.depth == 3)
            #expect(panelas.parentId == cozinha.id && casa.parentId.isEmpty)

            await expectRPCError(.invalidArgument, reason: CategoryRefusalReason.tooDeep) {
                try await create(shop, "tampas", parent: panelas.id)
            }
            await expectRPCError(.invalidArgument, messageContains: "parent_id") {
                try await create(shop, "orfa", parent: "cat_nope")
            }
            await expectRPCError(.alreadyExists) { try await create(shop, "casa") }

            let listed = try await shop.catalog.listCategories(.init()).categories
            // Siblings by position, then name: banho and cozinha tie at 5.
            #expect(listed.map(\.slug) == ["celulares", "casa", "banho", "cozinha", "panelas"])
            #expect(listed.map(\.depth) == [1, 1, 2, 2, 3])
            #expect(listed.first { $0.id == banho.id }?.parentId == casa.id)
            _ = celulares
        }
    }

    @Test func validatesSlugsNamesPositionsAndRoles() async throws {
        try await withCatalog { shop in
            for slug in ["", "Casa", "casa nova", "-casa", "casa-", "casa--nova", "café", String(repeating: "a", count: 65)] {
                await expectRPCError(.invalidArgument, messageContains: "slug") { try await create(shop, slug) }
            }
            let hyphenated = try await create(shop, "a1-b2-c3")
            #expect(hyphenated.slug == "a1-b2-c3")
            await expectRPCError(.invalidArgument, messageContains: "name") { try await create(shop, "vazio", name: "  ") }
            await expectRPCError(.invalidArgument, messageContains: "name") {
                try await create(shop, "controle", name: "a\u{7}b")
            }
            await expectRPCError(.invalidArgument, messageContains: "position") {
                try await create(shop, "negativo", position: -1)
            }
            await expectRPCError(.permissionDenied) {
                try await shop.catalog.createCategory(.init(slug: "x", name: "X"), metadata: CatalogHarness.customer)
            }
            await expectRPCError(.permissionDenied) {
                try await shop.catalog.deleteCategory(.init(id: "cat_x"), metadata: CatalogHarness.customer)
            }
        }
    }

    @Test func getsByIDOrSlug() async throws {
        try await withCatalog { shop in
            let root = try await create(shop, "games")
            let child = try await create(shop, "consoles", parent: root.id)
            #expect(try await shop.catalog.getCategory(.init(id: child.id)) == child)
            #expect(try await shop.catalog.getCategory(.init(slug: "consoles")) == child)
            await expectRPCError(.notFound) { try await shop.catalog.getCategory(.init(slug: "nada")) }
            await expectRPCError(.notFound) { try await shop.catalog.getCategory(.init(id: "cat_nada")) }
            await expectRPCError(.invalidArgument) { try await shop.catalog.getCategory(.init()) }
        }
    }

    @Test func movesAndRenamesWithoutCyclesOrATreeTooDeep() async throws {
        try await withCatalog { shop in
            let a = try await create(shop, "a")
            let b = try await create(shop, "b", parent: a.id)
            let c = try await create(shop, "c", parent: b.id)
            let d = try await create(shop, "d")
            let e = try await create(shop, "e", parent: d.id)

            var moving = b
            moving.parentId = c.id
            await expectRPCError(.invalidArgument, reason: CategoryRefusalReason.cycle) {
                try await update(shop, moving, paths: ["parent_id"])
            }
            moving.parentId = b.id
            await expectRPCError(.invalidArgument, reason: CategoryRefusalReason.cycle) {
                try await update(shop, moving, paths: ["parent_id"])
            }
            // b has a child, so under e (depth 2) its child would be at depth 4.
            moving.parentId = e.id
            await expectRPCError(.invalidArgument, reason: CategoryRefusalReason.tooDeep) {
                try await update(shop, moving, paths: ["parent_id"])
            }
            // Under d (depth 1) it fits: b at 2, c at 3.
            moving.parentId = d.id
            let moved = try await update(shop, moving, paths: ["parent_id"])
            #expect(moved.parentId == d.id && moved.depth == 2)
            #expect(try await shop.catalog.getCategory(.init(id: c.id)).depth == 3)

            // To the root: the path named with an empty value.
            moving.parentId = ""
            #expect(try await update(shop, moving, paths: ["parent_id"]).depth == 1)

            var renamed = a
            renamed.slug = "d"
            await expectRPCError(.alreadyExists) { try await update(shop, renamed, paths: ["slug"]) }
            renamed.slug = "a-novo"
            renamed.name = "A novo"
            renamed.position = 9
            renamed.parentId = ""
            let updated = try await update(shop, renamed, paths: [])
            #expect(updated.slug == "a-novo" && updated.name == "A novo" && updated.position == 9)
            #expect(try await shop.catalog.getCategory(.init(slug: "a-novo")).id == a.id)
            await expectRPCError(.invalidArgument, messageContains: "cannot be updated") {
                try await update(shop, renamed, paths: ["depth"])
            }
            var unknown = a
            unknown.id = "cat_nada"
            await expectRPCError(.notFound) { try await update(shop, unknown, paths: ["name"]) }
        }
    }

    @Test func refusesToDeleteACategoryWithProductsOrChildren() async throws {
        try await withCatalog { shop in
            let root = try await create(shop, "informatica")
            let notebooks = try await create(shop, "notebooks", parent: root.id)
            let laptop = try await product(shop, "Notebook", in: notebooks.id)

            let refusal = await expectRPCError(.failedPrecondition, reason: CategoryRefusalReason.notEmpty) {
                try await shop.catalog.deleteCategory(.init(id: notebooks.id), metadata: CatalogHarness.admin)
            }
            #expect(refusal?.message.contains("1 product") == true)
            await expectRPCError(.failedPrecondition, reason: CategoryRefusalReason.notEmpty) {
                try await shop.catalog.deleteCategory(.init(id: root.id), metadata: CatalogHarness.admin)
            }

            // A deleted product no longer holds its category.
            _ = try await shop.catalog.deleteProduct(.init(id: laptop.id), metadata: CatalogHarness.admin)
            _ = try await shop.catalog.deleteCategory(.init(id: notebooks.id), metadata: CatalogHarness.admin)
            _ = try await shop.catalog.deleteCategory(.init(id: root.id), metadata: CatalogHarness.admin)
            #expect(try await shop.catalog.listCategories(.init()).categories.isEmpty)
            await expectRPCError(.notFound) {
                try await shop.catalog.deleteCategory(.init(id: root.id), metadata: CatalogHarness.admin)
            }
        }
    }

    @Test func listsTheProductsOfACategoryAndEverythingBelowIt() async throws {
        try await withCatalog { shop in
            let eletronicos = try await create(shop, "eletronicos")
            let celulares = try await create(shop, "celulares", parent: eletronicos.id)
            let acessorios = try await create(shop, "acessorios", parent: celulares.id)
            let casa = try await create(shop, "casa")
            var inTree: [String] = []
            for index in 0..<3 {
                inTree.append(try await product(shop, "Celular \(index)", in: celulares.id).id)
                inTree.append(try await product(shop, "Capa \(index)", in: acessorios.id).id)
                _ = try await product(shop, "Panela \(index)", in: casa.id)
            }
            _ = try await shop.createProduct(name: "Sem categoria")

            var listed: [String] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await shop.catalog.listProducts(
                    .init(pageSize: 2, pageToken: token, categoryId: eletronicos.id))
                listed += page.products.map(\.id)
                token = page.nextPageToken
                pages += 1
            } while !token.isEmpty && pages < 100
            #expect(listed == inTree)

            let leaf = try await shop.catalog.listProducts(.init(categoryId: acessorios.id)).products
            #expect(leaf.map(\.name) == ["Capa 0", "Capa 1", "Capa 2"])
            #expect(leaf.allSatisfy { $0.categoryId == acessorios.id })
            let searched = try await shop.catalog.listProducts(.init(query: "capa 1", categoryId: celulares.id))
            #expect(searched.products.map(\.name) == ["Capa 1"])

            let first = try await shop.catalog.listProducts(.init(pageSize: 1, categoryId: eletronicos.id))
            await expectRPCError(.invalidArgument, messageContains: "page_token") {
                try await shop.catalog.listProducts(.init(pageToken: first.nextPageToken, categoryId: casa.id))
            }
            await expectRPCError(.invalidArgument, messageContains: "category_id") {
                try await shop.catalog.listProducts(.init(categoryId: "cat_nada"))
            }
        }
    }

    @Test func productsJoinMoveAndLeaveCategories() async throws {
        try await withCatalog { shop in
            let tvs = try await create(shop, "tvs")
            let audio = try await create(shop, "audio")
            await expectRPCError(.invalidArgument, messageContains: "category_id") {
                try await product(shop, "Órfão", in: "cat_nada")
            }
            var tv = try await product(shop, "Smart TV", in: tvs.id)
            #expect(tv.categoryId == tvs.id)
            #expect(try await shop.catalog.getProduct(.init(id: tv.id)).categoryId == tvs.id)

            tv.categoryId = audio.id
            let moved = try await shop.catalog.updateProduct(
                .init(product: tv, updateMask: Google_Protobuf_FieldMask(paths: ["category_id"])),
                metadata: CatalogHarness.admin)
            #expect(moved.categoryId == audio.id)
            tv.categoryId = "cat_nada"
            await expectRPCError(.invalidArgument, messageContains: "category_id") {
                try await shop.catalog.updateProduct(
                    .init(product: tv, updateMask: Google_Protobuf_FieldMask(paths: ["category_id"])),
                    metadata: CatalogHarness.admin)
            }
            tv.categoryId = ""
            let cleared = try await shop.catalog.updateProduct(
                .init(product: tv, updateMask: Google_Protobuf_FieldMask(paths: ["category_id"])),
                metadata: CatalogHarness.admin)
            #expect(cleared.categoryId.isEmpty)
            _ = try await shop.catalog.deleteCategory(.init(id: audio.id), metadata: CatalogHarness.admin)
        }
    }

    @Test func searchIgnoresCaseAndAccents() async throws {
        try await withCatalog { shop in
            for name in ["Café Torrado 500 g", "iPhone 15", "Ação Coletiva (livro)", "Pão de Açúcar", "Straße"] {
                _ = try await shop.createProduct(name: name)
            }
            func names(_ query: String) async throws -> [String] {
                try await shop.catalog.listProducts(.init(query: query)).products.map(\.name)
            }
            #expect(try await names("cafe") == ["Café Torrado 500 g"])
            #expect(try await names("CAFÉ") == ["Café Torrado 500 g"])
            #expect(try await names("iphone") == ["iPhone 15"])
            #expect(try await names("acao") == ["Ação Coletiva (livro)"])
            #expect(try await names("acucar") == ["Pão de Açúcar"])
            #expect(try await names("strasse") == ["Straße"])
            #expect(try await names("cafeina").isEmpty)
        }
    }

    @Test func migratingAnOldCatalogRefoldsItsNamesForAccentFreeSearch() async throws {
        try await withTemporaryDirectory { directory in
            // A catalog.sqlite as version 1 wrote it: names only lowercased.
            let old = try await ServiceDatabase.open(
                named: "catalog", in: TestStorage.forDirectory(directory), migrations: [CatalogSchema.migrations[0]])
            try await old.write { connection in
                try connection.run(
                    """
                    INSERT INTO products (id, sku, name, description, price_cents, stock, category,
                                          created_at_ms, updated_at_ms, name_folded, sku_folded)
                    VALUES ('prd_old', 'CAFE-1', 'Café Especial', '', 100, 1, '', 0, 0, 'café especial', 'cafe-1')
                    """)
            }
            await old.close()

            try await withCatalog(directory: directory) { shop in
                let found = try await shop.catalog.listProducts(.init(query: "cafe especial")).products
                #expect(found.map(\.id) == ["prd_old"])
                #expect(found.first?.categoryId == "")
            }
        }
    }
}
