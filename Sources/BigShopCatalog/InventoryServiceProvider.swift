public import BigRPC
public import BigShopCatalogAPI
import BigShopServiceKit
import BigShopStore
import Logging

/// `bigshop.catalog.v1.InventoryService`: the stock operations of orders and
/// the checkout saga. Internal: served only in process, so it checks no
/// principal. Get one from ``CatalogModule``.
///
/// Every operation is one SQLite transaction and idempotent per
/// `reservation_id` (1-128 printable ASCII characters, e.g. the order id), so
/// a saga may repeat any step after a crash:
///
/// | call | HELD | COMMITTED | RELEASED | unknown id |
/// |---|---|---|---|---|
/// | ReserveStock | returned unchanged | returned unchanged | returned unchanged | takes the stock, HELD |
/// | ReleaseStock | units back, RELEASED | FAILED_PRECONDITION `RESERVATION_COMMITTED` | returned unchanged | recorded RELEASED, no lines |
/// | CommitStock | COMMITTED | returned unchanged | FAILED_PRECONDITION `RESERVATION_RELEASED` | NOT_FOUND |
///
/// **Release of an unknown id** leaves a RELEASED reservation with no lines
/// behind. A saga that compensates a checkout whose ReserveStock may or may
/// not have happened calls ReleaseStock; should that ReserveStock arrive (or
/// be retried) afterwards, it gets the RELEASED reservation and takes no
/// stock, so no units stay held for a cancelled order. Callers must
/// therefore check that ReserveStock answered HELD.
///
/// **Stock** never goes negative (a guarded UPDATE and a CHECK constraint)
/// and is never double counted: writers are serialized, and for every
/// product `stock + HELD units + COMMITTED units` stays what the admin stocked.
public struct InventoryServiceProvider: Bigshop_Catalog_V1_InventoryService.ServiceProtocol {
    private let database: Database
    private let clock: any ShopClock
    private let logger: Logger

    init(database: Database, clock: any ShopClock, logger: Logger) {
        self.database = database
        self.clock = clock
        self.logger = logger
    }

    /// Takes every line's quantity from stock, or nothing, and records the
    /// reservation HELD with each product's name and current price (the
    /// order's frozen prices). Lines naming the same product are summed into
    /// one line. An existing `reservation_id` is returned as it is, whatever
    /// the lines say.
    ///
    /// Empty or bad `reservation_id`, no lines, more than 500, a quantity
    /// outside 1...1,000,000,000, an unknown or deleted product:
    /// INVALID_ARGUMENT. Too few units of any product: FAILED_PRECONDITION
    /// `OUT_OF_STOCK`, the message naming each short product.
    public func reserveStock(
        request: Bigshop_Catalog_V1_ReserveStockRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_StockReservation {
        let id = try Self.validReservationID(request.reservationId)
        let clock = self.clock
        let logger = context.logger(self.logger)
        do {
            let reservation = try await database.writeBatched { connection in
                try StockStore.reserve(id: id, requested: request.lines, nowMs: clock.nowMs(), in: connection)
            }
            logger.info(
                "stock reserved",
                metadata: [
                    "reservation-id": "\(id)", "state": "\(reservation.state)", "lines": "\(reservation.lines.count)",
                ])
            return reservation
        } catch let error as RPCError where error.metadata[Metadata.reasonKey] == InventoryRefusalReason.outOfStock {
            logger.info("stock reservation refused", metadata: ["reservation-id": "\(id)", "reason": "\(error.message)"])
            throw error
        }
    }

    /// Puts a HELD reservation's units back into stock (deleted products
    /// included). RELEASED: no-op. Unknown: recorded RELEASED with no lines.
    /// COMMITTED: FAILED_PRECONDITION `RESERVATION_COMMITTED`.
    public func releaseStock(
        request: Bigshop_Catalog_V1_ReleaseStockRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_StockReservation {
        let id = try Self.validReservationID(request.reservationId)
        let clock = self.clock
        let reservation = try await database.writeBatched { connection in
            try StockStore.release(id: id, nowMs: clock.nowMs(), in: connection)
        }
        context.logger(logger).info(
            "stock released",
            metadata: [
                "reservation-id": "\(id)", "lines": "\(reservation.lines.count)",
            ])
        return reservation
    }

    /// Marks a HELD reservation sold: its units never return. COMMITTED:
    /// no-op. RELEASED: FAILED_PRECONDITION `RESERVATION_RELEASED`. Unknown:
    /// NOT_FOUND.
    public func commitStock(
        request: Bigshop_Catalog_V1_CommitStockRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_StockReservation {
        let id = try Self.validReservationID(request.reservationId)
        let clock = self.clock
        let reservation = try await database.writeBatched { connection in
            try StockStore.commit(id: id, nowMs: clock.nowMs(), in: connection)
        }
        context.logger(logger).info(
            "stock committed",
            metadata: [
                "reservation-id": "\(id)", "lines": "\(reservation.lines.count)",
            ])
        return reservation
    }

    /// The products with the given ids, read in one snapshot: live ones in
    /// `products` (in request order, each once), deleted ones only in
    /// `deleted_ids`, unknown ones nowhere. More than 1,000 ids:
    /// INVALID_ARGUMENT.
    public func lookupProducts(
        request: Bigshop_Catalog_V1_LookupProductsRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_LookupProductsResponse {
        guard request.ids.count <= CatalogLimits.maxLookupIDs else {
            throw RPCError(.invalidArgument, "ids must hold at most \(CatalogLimits.maxLookupIDs) ids")
        }
        var seen: Set<String> = []
        let ids = request.ids.filter { seen.insert($0).inserted }
        return try await database.read { connection in
            var response = Bigshop_Catalog_V1_LookupProductsResponse()
            for id in ids {
                guard let stored = try ProductStore.find(id: id, in: connection) else { continue }
                if stored.isDeleted {
                    response.deletedIds.append(id)
                } else {
                    response.products.append(stored.product)
                }
            }
            return response
        }
    }

    /// `reservation_id`, if it is 1-128 printable ASCII characters.
    private static func validReservationID(_ id: String) throws(RPCError) -> String {
        guard !id.isEmpty else { throw RPCError(.invalidArgument, "reservation_id is required") }
        guard id.utf8.count <= CatalogLimits.maxReservationIDLength, id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw RPCError(
                .invalidArgument,
                "reservation_id must be 1-\(CatalogLimits.maxReservationIDLength) printable ASCII characters")
        }
        return id
    }
}
