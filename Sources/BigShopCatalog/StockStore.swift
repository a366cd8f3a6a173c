import BigRPC
import BigShopCatalogAPI
import BigShopServiceKit
import BigShopStore

/// The stock reservations behind InventoryService: each operation runs inside
/// one write (``Database/writeBatched(_:)``: its own savepoint of a group
/// commit), so it happens entirely or not at all, and writers are serialized.
///
/// Units are conserved: at every commit, for every product,
/// `stock + units in HELD reservations + units in COMMITTED reservations` is
/// what the admin stocked. A reservation takes its units out of `stock`;
/// releasing puts them back; committing keeps them out for good.
enum StockStore {
    /// Products an OUT_OF_STOCK message names; the others are counted.
    static let shortProductsNamed = 5

    /// The reservation with `id`, or nil if it was never reserved nor released.
    static func find(id: String, in connection: Connection) throws -> StoredReservation? {
        guard let row = try connection.queryOne("SELECT state FROM reservations WHERE id = ?", .text(id)) else {
            return nil
        }
        let name = try row.string(0)
        guard let state = ReservationState(rawValue: name) else {
            throw CatalogDataError("reservation \(id) has an unknown state \(name)")
        }
        let lines = try connection.query(
            "SELECT product_id, name, quantity, unit_price_cents FROM reservation_lines WHERE reservation_id = ? ORDER BY line",
            .text(id)
        ).map { row in
            Bigshop_Catalog_V1_ReservedLine(
                productId: try row.string(0), name: try row.string(1),
                quantity: try row.int64(2), unitPriceCents: try row.int64(3))
        }
        return StoredReservation(id: id, state: state, lines: lines)
    }

    /// Takes every line's units from stock and records the reservation HELD,
    /// with each product's name and price now; or, if `id` exists already,
    /// returns it unchanged whatever `requested` says.
    ///
    /// - Throws: INVALID_ARGUMENT for bad lines or an unknown or deleted
    ///   product; FAILED_PRECONDITION `OUT_OF_STOCK` naming every product
    ///   that is short. Either way the transaction rolls back: nothing taken.
    static func reserve(
        id: String,
        requested: [Bigshop_Catalog_V1_StockLine],
        nowMs: Int64,
        in connection: Connection
    ) throws -> Bigshop_Catalog_V1_StockReservation {
        if let existing = try find(id: id, in: connection) { return existing.proto }
        let lines = try ReservationRequestLines(requested).lines
        var products: [Bigshop_Catalog_V1_Product] = []
        for line in lines {
            guard let stored = try ProductStore.find(id: line.productID, in: connection) else {
                throw RPCError(
                    .invalidArgument, "lines[\(line.requestIndex)].product_id: no product \(line.productID.statusPrefix())")
            }
            guard !stored.isDeleted else {
                throw RPCError(
                    .invalidArgument,
                    "lines[\(line.requestIndex)].product_id: product \(line.productID.statusPrefix()) was deleted")
            }
            products.append(stored.product)
        }
        // The guarded UPDATE is the stock check: it never takes more than
        // there is, so stock cannot go negative whatever else is running.
        var short: [String] = []
        for (line, product) in zip(lines, products) {
            let taken = try ProductStore.takeStock(productID: line.productID, quantity: line.quantity, in: connection)
            if !taken {
                short.append(
                    "\"\(product.name.statusPrefix())\" (\(product.id)): \(line.quantity) requested, \(product.stock) available")
            }
        }
        guard short.isEmpty else {
            // Up to 500 lines: name a few, so the message stays short.
            var named = short.prefix(Self.shortProductsNamed).joined(separator: "; ")
            if short.count > Self.shortProductsNamed { named += "; and \(short.count - Self.shortProductsNamed) more" }
            throw RPCError.refused(InventoryRefusalReason.outOfStock, "out of stock: " + named)
        }
        try insertReservation(id: id, state: .held, nowMs: nowMs, in: connection)
        var reserved: [Bigshop_Catalog_V1_ReservedLine] = []
        for (index, (line, product)) in zip(lines, products).enumerated() {
            try connection.run(
                """
                INSERT INTO reservation_lines (reservation_id, line, product_id, name, quantity, unit_price_cents)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                .text(id), .integer(Int64(index)), .text(product.id), .text(product.name),
                .integer(line.quantity), .integer(product.priceCents)
            )
            reserved.append(
                Bigshop_Catalog_V1_ReservedLine(
                    productId: product.id, name: product.name, quantity: line.quantity, unitPriceCents: product.priceCents))
        }
        return Bigshop_Catalog_V1_StockReservation(reservationId: id, state: .held, lines: reserved)
    }

    /// HELD → RELEASED, returning the units to stock (deleted products too).
    /// Already RELEASED: unchanged. Unknown: recorded RELEASED with no lines,
    /// so that a ReserveStock of that id arriving later (a retry, a request
    /// that overtook this one) takes nothing.
    ///
    /// - Throws: FAILED_PRECONDITION `RESERVATION_COMMITTED` if it was committed.
    static func release(id: String, nowMs: Int64, in connection: Connection) throws -> Bigshop_Catalog_V1_StockReservation {
        guard var reservation = try find(id: id, in: connection) else {
            try insertReservation(id: id, state: .released, nowMs: nowMs, in: connection)
            return StoredReservation(id: id, state: .released, lines: []).proto
        }
        switch reservation.state {
        case .held:
            for line in reservation.lines {
                try ProductStore.returnStock(productID: line.productId, quantity: line.quantity, in: connection)
            }
            try setState(.released, of: id, nowMs: nowMs, in: connection)
            reservation.state = .released
        case .released:
            break
        case .committed:
            throw RPCError.refused(
                InventoryRefusalReason.reservationCommitted,
                "reservation \(id.statusPrefix()) is committed: its units are sold and cannot be released")
        }
        return reservation.proto
    }

    /// HELD → COMMITTED: the units stay out of stock for good. Already
    /// COMMITTED: unchanged.
    ///
    /// - Throws: NOT_FOUND if `id` was never reserved; FAILED_PRECONDITION
    ///   `RESERVATION_RELEASED` if it was released.
    static func commit(id: String, nowMs: Int64, in connection: Connection) throws -> Bigshop_Catalog_V1_StockReservation {
        guard var reservation = try find(id: id, in: connection) else {
            throw RPCError(.notFound, "no reservation \(id.statusPrefix())")
        }
        switch reservation.state {
        case .held:
            try setState(.committed, of: id, nowMs: nowMs, in: connection)
            reservation.state = .committed
        case .committed:
            break
        case .released:
            throw RPCError.refused(
                InventoryRefusalReason.reservationReleased,
                "reservation \(id.statusPrefix()) was released: its units went back to stock")
        }
        return reservation.proto
    }

    private static func insertReservation(id: String, state: ReservationState, nowMs: Int64, in connection: Connection) throws {
        try connection.run(
            "INSERT INTO reservations (id, state, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)",
            .text(id), .text(state.rawValue), .integer(nowMs), .integer(nowMs)
        )
    }

    private static func setState(_ state: ReservationState, of id: String, nowMs: Int64, in connection: Connection) throws {
        try connection.run(
            "UPDATE reservations SET state = ?, updated_at_ms = ? WHERE id = ?",
            .text(state.rawValue), .integer(nowMs), .text(id)
        )
    }
}
