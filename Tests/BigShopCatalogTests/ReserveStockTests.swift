import BigRPC
import BigShopCatalog
import BigShopCatalogAPI
import Testing

@Suite("ReserveStock", .timeLimit(.minutes(2)))
struct ReserveStockTests {
    @Test func reservesEveryLineAtTodaysPrices() async throws {
        try await withCatalog { shop in
            let phone = try await shop.createProduct(name: "iPhone 15", priceCents: 529_900, stock: 5)
            let case_ = try await shop.createProduct(name: "Capa", priceCents: 9_990, stock: 50)
            let reservation = try await shop.reserve("ord_1", [(phone.id, 2), (case_.id, 1), (phone.id, 1)])
            #expect(reservation.reservationId == "ord_1")
            #expect(reservation.state == .held)
            #expect(
                reservation.lines == [
                    .init(productId: phone.id, name: "iPhone 15", quantity: 3, unitPriceCents: 529_900),
                    .init(productId: case_.id, name: "Capa", quantity: 1, unitPriceCents: 9_990),
                ])
            #expect(try await shop.stock(of: phone.id) == 2)
            #expect(try await shop.stock(of: case_.id) == 49)
            #expect(try await shop.storedUnits(of: phone.id) == StoredUnits(stock: 2, held: 3, committed: 0))
        }
    }

    @Test func pricesAreFrozenAtReservation() async throws {
        try await withCatalog { shop in
            let tv = try await shop.createProduct(name: "TV 55", priceCents: 279_900, stock: 3)
            let first = try await shop.reserve("ord_1", [(tv.id, 1)])
            _ = try await shop.catalog.updateProduct(
                .init(product: .init(id: tv.id, name: "TV 55 promo", priceCents: 249_900)), metadata: CatalogHarness.admin)
            #expect(try await shop.reserve("ord_1", [(tv.id, 1)]) == first)
            let second = try await shop.reserve("ord_2", [(tv.id, 1)])
            #expect(second.lines.first?.unitPriceCents == 249_900)
            #expect(second.lines.first?.name == "TV 55 promo")
            #expect(try await shop.release("ord_1").lines.first?.unitPriceCents == 279_900)
        }
    }

    @Test func oneShortLineReservesNothing() async throws {
        try await withCatalog { shop in
            let a = try await shop.createProduct(name: "Notebook", stock: 5)
            let b = try await shop.createProduct(name: "Mouse", stock: 2)
            let c = try await shop.createProduct(name: "Teclado", stock: 1)
            let error = await expectRPCError(.failedPrecondition, reason: InventoryRefusalReason.outOfStock) {
                try await shop.reserve("ord_1", [(a.id, 5), (b.id, 3), (c.id, 2)])
            }
            #expect(error?.message.contains("\"Mouse\" (\(b.id))") == true)
            #expect(error?.message.contains("\"Teclado\" (\(c.id))") == true)
            #expect(error?.message.contains("Notebook") == false)
            #expect(try await shop.stock(of: a.id) == 5)
            #expect(try await shop.stock(of: b.id) == 2)
            #expect(try await shop.stock(of: c.id) == 1)
            #expect(try await shop.storedUnits(of: a.id) == StoredUnits(stock: 5, held: 0, committed: 0))

            // Nothing was recorded under the id: the same id may try again.
            let retry = try await shop.reserve("ord_1", [(a.id, 5), (b.id, 2)])
            #expect(retry.state == .held)
            #expect(try await shop.stock(of: a.id) == 0)
        }
    }

    @Test func duplicateLinesAreSummedBeforeTheStockCheck() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(name: "Air Fryer", stock: 3)
            await expectRPCError(.failedPrecondition, reason: InventoryRefusalReason.outOfStock, messageContains: "4 requested, 3 available") {
                try await shop.reserve("ord_1", [(product.id, 2), (product.id, 2)])
            }
            #expect(try await shop.stock(of: product.id) == 3)
        }
    }

    @Test func repeatingAReservationReturnsItUnchanged() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(name: "PS5", stock: 10)
            let other = try await shop.createProduct(name: "Controle", stock: 10)
            let first = try await shop.reserve("ord_1", [(product.id, 4)])
            let again = try await shop.reserve("ord_1", [(product.id, 4)])
            let different = try await shop.reserve("ord_1", [(other.id, 9), (product.id, 1)])
            let invalid = try await shop.reserve("ord_1", [("prd_unknown", 0)])
            #expect(again == first && different == first && invalid == first)
            #expect(try await shop.stock(of: product.id) == 6)
            #expect(try await shop.stock(of: other.id) == 10)

            // Also after release and commit: the state it is in now.
            _ = try await shop.release("ord_1")
            #expect(try await shop.reserve("ord_1", [(product.id, 4)]).state == .released)
            #expect(try await shop.stock(of: product.id) == 10)
            _ = try await shop.reserve("ord_2", [(product.id, 1)])
            _ = try await shop.commit("ord_2")
            #expect(try await shop.reserve("ord_2", [(product.id, 1)]).state == .committed)
            #expect(try await shop.stock(of: product.id) == 9)
        }
    }

    @Test func exactlyTheWholeStockCanBeReserved() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(stock: 3)
            _ = try await shop.reserve("ord_1", [(product.id, 3)])
            #expect(try await shop.stock(of: product.id) == 0)
            await expectRPCError(.failedPrecondition, reason: InventoryRefusalReason.outOfStock, messageContains: "0 available") {
                try await shop.reserve("ord_2", [(product.id, 1)])
            }
        }
    }

    @Test func badRequestsAreInvalidArgument() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(stock: 10)
            let cases: [(String, [(String, Int64)], String)] = [
                ("", [(product.id, 1)], "reservation_id"),
                ("ord com espaço", [(product.id, 1)], "reservation_id"),
                (String(repeating: "o", count: 129), [(product.id, 1)], "reservation_id"),
                ("ord_1", [], "lines"),
                ("ord_1", [(product.id, 0)], "lines[0].quantity"),
                ("ord_1", [(product.id, 1), (product.id, -2)], "lines[1].quantity"),
                ("ord_1", [(product.id, 1_000_000_001)], "lines[0].quantity"),
                ("ord_1", [(product.id, .max)], "lines[0].quantity"),
                ("ord_1", [(product.id, 1), (product.id, .min)], "lines[1].quantity"),
                ("ord_1", [(product.id, 1), ("", 1)], "lines[1].product_id"),
                ("ord_1", [(product.id, 1), ("prd_unknown", 1)], "lines[1].product_id"),
                ("ord_1", Array(repeating: (product.id, 1), count: 501), "lines"),
            ]
            for (id, lines, field) in cases {
                let error = await expectRPCError(.invalidArgument) { try await shop.reserve(id, lines) }
                #expect(error?.message.hasPrefix(field) == true, "\(error?.message ?? "")")
            }
            #expect(try await shop.stock(of: product.id) == 10)
            // Nothing recorded: the id is still free.
            #expect(try await shop.reserve("ord_1", [(product.id, 1)]).state == .held)
        }
    }

    @Test func anUnknownProductWinsOverAShortOne() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(stock: 1)
            await expectRPCError(.invalidArgument) {
                try await shop.reserve("ord_1", [(product.id, 5), ("prd_unknown", 1)])
            }
        }
    }
}
