import BigRPC
import BigShopCatalogAPI
import BigShopServiceKit
import Testing

@Suite("ListProducts", .timeLimit(.minutes(3)))
struct ListProductsTests {
    /// Every page of a listing, following `next_page_token` to the end.
    func listAll(
        _ shop: CatalogHarness, pageSize: Int32, category: String = "", query: String = ""
    ) async throws -> (products: [Bigshop_Catalog_V1_Product], pages: Int) {
        var products: [Bigshop_Catalog_V1_Product] = []
        var token = ""
        var pages = 0
        repeat {
            let page = try await shop.catalog.listProducts(
                .init(pageSize: pageSize, pageToken: token, category: category, query: query))
            #expect(page.products.count <= Int(pageSize))
            products += page.products
            token = page.nextPageToken
            pages += 1
        } while !token.isEmpty && pages < 1_000
        return (products, pages)
    }

    @Test func pagesThroughEverythingInCreationOrder() async throws {
        try await withCatalog { shop in
            var created: [Bigshop_Catalog_V1_Product] = []
            for index in 0..<23 {
                created.append(
                    try await shop.createProduct(
                        sku: "P-\(index)", name: "Produto \(index)", category: index % 2 == 0 ? "pares" : "impares"))
            }
            let (all, pages) = try await listAll(shop, pageSize: 5)
            #expect(all.map(\.id) == created.map(\.id))
            #expect(pages == 5)

            let exact = try await listAll(shop, pageSize: 23)
            #expect(exact.products.count == 23 && exact.pages == 1)

            let (evens, evenPages) = try await listAll(shop, pageSize: 4, category: "pares")
            #expect(evens.map(\.id) == created.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.id))
            #expect(evenPages == 3)

            let (matches, _) = try await listAll(shop, pageSize: 2, category: "impares", query: "PRODUTO 1")
            #expect(matches.map(\.name) == ["Produto 1", "Produto 11", "Produto 13", "Produto 15", "Produto 17", "Produto 19"])

            let none = try await shop.catalog.listProducts(.init(category: "Pares"))
            #expect(none.products.isEmpty && none.nextPageToken.isEmpty)
        }
    }

    @Test func pagingIsStableUnderConcurrentInsertsAndDeletes() async throws {
        try await withCatalog { shop in
            var ids: [String] = []
            for index in 0..<10 { ids.append(try await shop.createProduct(name: "Antigo \(index)").id) }
            let first = try await shop.catalog.listProducts(.init(pageSize: 4))
            #expect(first.products.map(\.id) == Array(ids[0..<4]))

            // Inserted and deleted between pages.
            let late = try await shop.createProduct(name: "Novo")
            _ = try await shop.catalog.deleteProduct(.init(id: ids[5]), metadata: CatalogHarness.admin)
            _ = try await shop.catalog.deleteProduct(.init(id: ids[1]), metadata: CatalogHarness.admin)

            var seen = first.products.map(\.id)
            var token = first.nextPageToken
            while !token.isEmpty {
                let page = try await shop.catalog.listProducts(.init(pageSize: 4, pageToken: token))
                seen += page.products.map(\.id)
                token = page.nextPageToken
            }
            var expected = ids
            expected.remove(at: 5)
            #expect(seen == expected + [late.id])
            #expect(Set(seen).count == seen.count)
        }
    }

    @Test func pageSizeDefaultsTo50AndIsCappedAt500() async throws {
        try await withCatalog { shop in
            for index in 0..<501 {
                try await shop.createProduct(sku: "BULK-\(index)", name: "Item \(index)")
            }
            let defaultPage = try await shop.catalog.listProducts(.init())
            #expect(defaultPage.products.count == 50)
            #expect(!defaultPage.nextPageToken.isEmpty)

            let capped = try await shop.catalog.listProducts(.init(pageSize: 10_000))
            #expect(capped.products.count == 500)
            let rest = try await shop.catalog.listProducts(.init(pageSize: 10_000, pageToken: capped.nextPageToken))
            #expect(rest.products.map(\.name) == ["Item 500"])
            #expect(rest.nextPageToken.isEmpty)
        }
    }

    @Test func negativePageSizeIsInvalidArgument() async throws {
        try await withCatalog { shop in
            await expectRPCError(.invalidArgument, messageContains: "page_size") {
                try await shop.catalog.listProducts(.init(pageSize: -1))
            }
        }
    }

    @Test func queryMatchesNameOrSkuIgnoringCase() async throws {
        try await withCatalog { shop in
            let iphone = try await shop.createProduct(sku: "APL-IPH15", name: "iPhone 15 128 GB")
            let agua = try await shop.createProduct(sku: "BEB-001", name: "Água de Coco 1 L")
            let mac = try await shop.createProduct(sku: "APL-MBA13", name: "MacBook Air")
            try await shop.createProduct(sku: "SMS-S24", name: "Galaxy S24")

            func names(_ query: String) async throws -> [String] {
                try await shop.catalog.listProducts(.init(query: query)).products.map(\.id)
            }
            #expect(try await names("IPHONE") == [iphone.id])
            #expect(try await names("apl-") == [iphone.id, mac.id])
            #expect(try await names("ÁGUA") == [agua.id])
            #expect(try await names("coco 1") == [agua.id])
            #expect(try await names("inexistente").isEmpty)
        }
    }

    @Test func likeWildcardsInTheQueryAreLiteral() async throws {
        try await withCatalog { shop in
            let percent = try await shop.createProduct(sku: "CAM-100", name: "Camiseta 100% algodão")
            let underscore = try await shop.createProduct(sku: "CAM_AZUL", name: "Camiseta azul")
            try await shop.createProduct(sku: "CAM-VERDE", name: "Camiseta verde")
            let backslash = try await shop.createProduct(sku: "CAM-BS", name: "Camiseta C:\\moda")

            func ids(_ query: String) async throws -> [String] {
                try await shop.catalog.listProducts(.init(query: query)).products.map(\.id)
            }
            #expect(try await ids("%") == [percent.id])
            #expect(try await ids("_") == [underscore.id])
            #expect(try await ids("100%") == [percent.id])
            #expect(try await ids("cam_") == [underscore.id])
            #expect(try await ids("\\") == [backslash.id])
        }
    }

    @Test func tamperedOrForeignPageTokensAreInvalidArgument() async throws {
        try await withCatalog { shop in
            for index in 0..<5 { try await shop.createProduct(name: "Produto \(index)", category: "a") }
            let first = try await shop.catalog.listProducts(.init(pageSize: 2, category: "a"))
            #expect(!first.nextPageToken.isEmpty)

            let fields = try #require(try PageToken.decode(first.nextPageToken, fieldCount: 3)).fields
            let tampered = [
                "not a token!",
                "AAAA",
                String(first.nextPageToken.dropLast()),
                PageToken(["p1", "2"]).encoded,
                PageToken(["p2", fields[1], fields[2]]).encoded,
                PageToken(["p1", "dois", fields[2]]).encoded,
                PageToken(["p1", "-1", fields[2]]).encoded,
                PageToken(["p1", fields[1], "0123456789abcdef"]).encoded,
            ]
            for token in tampered {
                await expectRPCError(.invalidArgument, messageContains: "page_token") {
                    try await shop.catalog.listProducts(.init(pageSize: 2, pageToken: token, category: "a"))
                }
            }
            // A token continues only the listing it came from.
            await expectRPCError(.invalidArgument, messageContains: "page_token") {
                try await shop.catalog.listProducts(.init(pageSize: 2, pageToken: first.nextPageToken, category: "b"))
            }
            await expectRPCError(.invalidArgument, messageContains: "page_token") {
                try await shop.catalog.listProducts(
                    .init(pageSize: 2, pageToken: first.nextPageToken, category: "a", query: "x"))
            }
            // The page size may change between pages.
            let rest = try await shop.catalog.listProducts(.init(pageSize: 10, pageToken: first.nextPageToken, category: "a"))
            #expect(rest.products.count == 3)
        }
    }

    @Test func overlongFiltersAreInvalidArgument() async throws {
        try await withCatalog { shop in
            await expectRPCError(.invalidArgument, messageContains: "query") {
                try await shop.catalog.listProducts(.init(query: String(repeating: "q", count: 201)))
            }
            await expectRPCError(.invalidArgument, messageContains: "category") {
                try await shop.catalog.listProducts(.init(category: String(repeating: "c", count: 101)))
            }
        }
    }
}
