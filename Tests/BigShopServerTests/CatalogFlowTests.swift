import BigRPC
import BigShopCatalogAPI
import BigShopServerTestSupport
import Testing
import WellKnownProtos

/// Catalog through the gateway, over TCP.
@Suite struct CatalogFlowTests {
    typealias CreateRequest = Bigshop_Catalog_V1_CreateProductRequest

    private func iphone(_ sku: String = "IPHONE-15-128") -> CreateRequest {
        CreateRequest(sku: sku, name: "iPhone 15 128 GB", description: "Preto", priceCents: 599_900, stock: 100, category: "celulares")
    }

    @Test func adminManagesProductsAnyoneReadsThem() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let created = try await admin.catalog.createProduct(iphone())
            #expect(created.priceCents == 599_900)
            #expect(created.stock == 100)
            #expect(created.createdAtMs > 0)

            let anonymous = shop.clients()
            #expect(try await anonymous.catalog.getProduct(.init(id: created.id)) == created)

            // Only the fields the mask names change.
            let updated = try await admin.catalog.updateProduct(
                .init(
                    product: .init(id: created.id, name: "ignored", priceCents: 100),
                    updateMask: Google_Protobuf_FieldMask(paths: ["price_cents"])
                ))
            #expect(updated.priceCents == 100)
            #expect(updated.name == created.name)
            let badMask = Bigshop_Catalog_V1_UpdateProductRequest(
                product: .init(id: created.id), updateMask: Google_Protobuf_FieldMask(paths: ["sku_typo"])
            )
            #expect(await code(try await admin.catalog.updateProduct(badMask)) == .invalidArgument)

            _ = try await admin.catalog.deleteProduct(.init(id: created.id))
            #expect(await code(try await anonymous.catalog.getProduct(.init(id: created.id))) == .notFound)
            #expect(await code(try await admin.catalog.deleteProduct(.init(id: created.id))) == .notFound)
        }
    }

    @Test func validationAndDuplicates() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            _ = try await admin.catalog.createProduct(iphone("DUP-1"))
            #expect(await code(try await admin.catalog.createProduct(iphone("DUP-1"))) == .alreadyExists)
            let negative = CreateRequest(sku: "NEG-1", name: "Fone", priceCents: -1, stock: 1)
            let error = await rpcError(try await admin.catalog.createProduct(negative))
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("price_cents") == true)
            let noName = CreateRequest(sku: "NONAME-1", name: "", priceCents: 100, stock: 1)
            #expect(await code(try await admin.catalog.createProduct(noName)) == .invalidArgument)
            let noSku = CreateRequest(sku: "", name: "Fone", priceCents: 100, stock: 1)
            #expect(await code(try await admin.catalog.createProduct(noSku)) == .invalidArgument)
            let negativeStock = CreateRequest(sku: "NEGSTOCK-1", name: "Fone", priceCents: 100, stock: -5)
            #expect(await code(try await admin.catalog.createProduct(negativeStock)) == .invalidArgument)
        }
    }

    /// Follows next_page_token from the first page to the last (at most 10 pages).
    static func allPages(of clients: ShopClients, category: String, pageSize: Int32) async throws -> (skus: [String], pages: Int) {
        var skus: [String] = []
        var token = ""
        var pages = 0
        repeat {
            let page = try await clients.catalog.listProducts(.init(pageSize: pageSize, pageToken: token, category: category))
            #expect(page.products.count <= Int(pageSize))
            #expect(page.products.allSatisfy { $0.category == category })
            skus += page.products.map(\.sku)
            token = page.nextPageToken
            pages += 1
        } while !token.isEmpty && pages < 10
        return (skus, pages)
    }

    @Test func listsAcrossPagesWithFilters() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            for index in 0..<23 {
                _ = try await admin.catalog.createProduct(
                    CreateRequest(
                        sku: "TV-\(index)", name: "Smart TV \(index)", priceCents: 100_000, stock: 5,
                        category: index % 2 == 0 ? "tv" : "audio"
                    ))
            }
            let anonymous = shop.clients()
            let (seen, pages) = try await Self.allPages(of: anonymous, category: "tv", pageSize: 5)
            #expect(seen.count == 12)
            #expect(Set(seen).count == 12)
            #expect(pages == 3)
            let query = try await anonymous.catalog.listProducts(.init(query: "tv 1"))
            #expect(Set(query.products.map(\.sku)) == ["TV-1", "TV-10", "TV-11", "TV-12", "TV-13", "TV-14", "TV-15", "TV-16", "TV-17", "TV-18", "TV-19"])
            #expect(await code(try await anonymous.catalog.listProducts(.init(pageToken: "garbage!"))) == .invalidArgument)
        }
    }
}
