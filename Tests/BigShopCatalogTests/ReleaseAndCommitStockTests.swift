import BigRPC
import BigShopCatalog
import BigShopCatalogAPI
import Testing

@Suite("ReleaseStock and CommitStock", .timeLimit(.minutes(2)))
struct ReleaseAndCommitStockTests {
    @Test func releaseReturnsTheUnitsOnce() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(name: "Geladeira", priceCents: 349_900, stock: 6)
            let held = try await shop.reserve("ord_1", [(product.id, 4)])
            let released = try await shop.release("ord_1")
            #expect(released.state == .released)
            #expect(released.lines == held.lines)
            #expect(try await shop.stock(of: product.id) == 6)
            #expect(try await shop.release("ord_1") == released)
            #expect(try await shop.stock(of: product.id) == 6)
        }
    }

    @Test func commitKeepsTheUnitsOutForGood() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(stock: 6)
            let held = try await shop.reserve("ord_1", [(product.id, 4)])
            let committed = try await shop.commit("ord_1")
            #expect(committed.state == .committed)
            #expect(committed.lines == held.lines)
            #expect(try await shop.commit("ord_1") == committed)
            #expect(try await shop.stock(of: product.id) == 2)
            #expect(try await shop.storedUnits(of: product.id) == StoredUnits(stock: 2, held: 0, committed: 4))
        }
    }

    @Test func releasingACommittedReservationIsRefused() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(stock: 6)
            _ = try await shop.reserve("ord_1", [(product.id, 4)])
            _ = try await shop.commit("ord_1")
            await expectRPCError(.failedPrecondition, reason: InventoryRefusalReason.reservationCommitted) {
                try await shop.release("ord_1")
            }
            #expect(try await shop.stock(of: product.id) == 2)
        }
    }

    @Test func committingAReleasedReservationIsRefused() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(stock: 6)
            _ = try await shop.reserve("ord_1", [(product.id, 4)])
            _ = try await shop.release("ord_1")
            await expectRPCError(.failedPrecondition, reason: InventoryRefusalReason.reservationReleased) {
                try await shop.commit("ord_1")
            }
            #expect(try await shop.stock(of: product.id) == 6)
        }
    }

    @Test func committingAnUnknownReservationIsNotFound() async throws {
        try await withCatalog { shop in
            await expectRPCError(.notFound) { try await shop.commit("ord_never") }
        }
    }

    @Test func releasingAnUnknownReservationBlocksALateReserve() async throws {
        try await withCatalog { shop in
            let product = try await shop.createProduct(stock: 6)
            let released = try await shop.release("ord_compensated")
            #expect(released == .init(reservationId: "ord_compensated", state: .released, lines: []))
            #expect(try await shop.release("ord_compensated") == released)

            // The saga compensated before its ReserveStock arrived: the late call takes nothing.
            let late = try await shop.reserve("ord_compensated", [(product.id, 2)])
            #expect(late == released)
            #expect(try await shop.stock(of: product.id) == 6)
            await expectRPCError(.failedPrecondition, reason: InventoryRefusalReason.reservationReleased) {
                try await shop.commit("ord_compensated")
            }
        }
    }

    @Test func badReservationIdsAreInvalidArgument() async throws {
        try await withCatalog { shop in
            await expectRPCError(.invalidArgument, messageContains: "reservation_id") { try await shop.release("") }
            await expectRPCError(.invalidArgument, messageContains: "reservation_id") { try await shop.commit("") }
            await expectRPCError(.invalidArgument, messageContains: "reservation_id") { try await shop.release("a\nb") }
        }
    }
}
