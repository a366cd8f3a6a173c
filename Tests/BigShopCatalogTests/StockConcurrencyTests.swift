import BigRPC
import BigShopCatalog
import BigShopCatalogAPI
import SeededRandom
import Testing

@Suite("Stock under concurrent callers", .timeLimit(.minutes(3)))
struct StockConcurrencyTests {
    @Test func twoHundredBuyersForFiftyUnits() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(name: "PS5 Black Friday", stock: 50)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for buyer in 0..<200 {
                    group.addTask {
                        do {
                            let reservation = try await shop.reserve("ord_\(buyer)", [(product.id, 1)])
                            #expect(reservation.state == .held)
                            return true
                        } catch let error as RPCError where error.metadata[Metadata.reasonKey] == InventoryRefusalReason.outOfStock {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 50)
            #expect(try await shop.stock(of: product.id) == 0)
            #expect(try await shop.storedUnits(of: product.id) == StoredUnits(stock: 0, held: 50, committed: 0))
        }
    }

    @Test func mixedReservesReleasesAndCommitsConserveStock() async throws {
        try await withCatalog { shop in
            let initial: Int64 = 40
            var productIDs: [String] = []
            for index in 0..<3 { productIDs.append(try await shop.createProduct(name: "Produto \(index)", stock: initial).id) }
            let products = productIDs

            try await withThrowingTaskGroup(of: Void.self) { group in
                for order in 0..<150 {
                    group.addTask { try await Self.placeAndSettle(order: order, products: products, shop: shop) }
                }
                try await group.waitForAll()
            }

            for product in products {
                let units = try await shop.storedUnits(of: product)
                #expect(units.total == initial, "\(units)")
                #expect(units.stock >= 0)
                #expect(try await shop.stock(of: product) == units.stock)
            }
            // The API's view of every reservation agrees with the tables.
            let reported = try await Self.unitsByState(orders: 150, shop: shop)
            #expect(reported.values.contains { $0.held > 0 } && reported.values.contains { $0.committed > 0 })
            for product in products {
                let units = try await shop.storedUnits(of: product)
                let expected = reported[product] ?? (held: 0, committed: 0)
                #expect(units.held == expected.held)
                #expect(units.committed == expected.committed)
            }
        }
    }

    /// Per product, the units of HELD and COMMITTED reservations `ord_0`...,
    /// as ReserveStock reports them when repeated.
    static func unitsByState(orders: Int, shop: CatalogHarness) async throws -> [String: (held: Int64, committed: Int64)] {
        var units: [String: (held: Int64, committed: Int64)] = [:]
        for order in 0..<orders {
            // Repeating a reservation returns it as it is. For an id refused earlier
            // for lack of stock, the unknown product makes this one fail too,
            // recording nothing.
            let reservation: Bigshop_Catalog_V1_StockReservation
            do {
                reservation = try await shop.reserve("ord_\(order)", [("prd_none", 1)])
            } catch let error as RPCError where error.code == .invalidArgument {
                continue
            }
            for line in reservation.lines {
                var total = units[line.productId] ?? (held: 0, committed: 0)
                if reservation.state == .held { total.held += line.quantity }
                if reservation.state == .committed { total.committed += line.quantity }
                units[line.productId] = total
            }
        }
        return units
    }

    /// Reserves a random mix of `products` as `ord_<order>`, then settles it
    /// at random: release, commit, both racing, two racing releases, or none.
    static func placeAndSettle(order: Int, products: [String], shop: CatalogHarness) async throws {
        var random = SplitMix64(seed: UInt64(order))
        let id = "ord_\(order)"
        var lines: [(String, Int64)] = []
        for product in products where random.next() % 2 == 0 {
            lines.append((product, Int64(random.next() % 3 + 1)))
        }
        if lines.isEmpty { lines.append((products[order % products.count], 1)) }
        do {
            _ = try await shop.reserve(id, lines)
        } catch let error as RPCError where error.metadata[Metadata.reasonKey] == InventoryRefusalReason.outOfStock {
            return
        }
        switch random.next() % 5 {
        case 0:
            _ = try await shop.release(id)
        case 1:
            _ = try await shop.commit(id)
        case 2:
            let wins = await racing(
                { try await shop.release(id) },
                { try await shop.commit(id) })
            #expect(wins == 1, "exactly one of a racing release and commit wins")
        case 3:
            let wins = await racing(
                { try await shop.release(id) },
                { try await shop.release(id) })
            #expect(wins == 2, "releasing twice is a no-op the second time")
        default:
            break
        }
    }

    /// Runs both calls concurrently; returns how many succeeded (a
    /// FAILED_PRECONDITION refusal is a loss; any other error an issue).
    static func racing(
        _ first: @escaping @Sendable () async throws -> Bigshop_Catalog_V1_StockReservation,
        _ second: @escaping @Sendable () async throws -> Bigshop_Catalog_V1_StockReservation
    ) async -> Int {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await settled(first) }
            group.addTask { await settled(second) }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }

    /// Whether `body` succeeded; a FAILED_PRECONDITION refusal is a loss.
    static func settled(_ body: () async throws -> Bigshop_Catalog_V1_StockReservation) async -> Bool {
        do {
            _ = try await body()
            return true
        } catch let error as RPCError {
            #expect(error.code == .failedPrecondition, "\(error)")
            return false
        } catch {
            Issue.record("unexpected \(error)")
            return false
        }
    }
}
