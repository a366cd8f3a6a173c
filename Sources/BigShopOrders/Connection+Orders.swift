import BigShopOrdersAPI
import BigShopStore

/// The queries of the order book, run inside `Database.read`/`write` bodies.
extension Connection {
    private static let orderColumns = """
        number, id, user_id, status, status_reason, total_cents, created_at_ms, updated_at_ms, payment_due_at_ms
        """

    /// The order `id` with its lines, or nil.
    func order(id: String) throws -> Bigshop_Orders_V1_Order? {
        try orders(
            "SELECT \(Self.orderColumns) FROM orders WHERE id = ?", bindings: [.text(id)]
        ).first?.order
    }

    /// Orders newest first, each with its insertion `number` (the page cursor):
    /// `userID`'s, or everyone's when it is nil; only those numbered below
    /// `before` when it is set.
    func ordersNewestFirst(of userID: String?, before: Int64?, limit: Int) throws -> [(number: Int64, order: Bigshop_Orders_V1_Order)] {
        let below = before ?? Int64.max
        if let userID {
            return try orders(
                "SELECT \(Self.orderColumns) FROM orders WHERE user_id = ? AND number < ? ORDER BY number DESC LIMIT ?",
                bindings: [.text(userID), .integer(below), .integer(Int64(limit))])
        }
        return try orders(
            "SELECT \(Self.orderColumns) FROM orders WHERE number < ? ORDER BY number DESC LIMIT ?",
            bindings: [.integer(below), .integer(Int64(limit))])
    }

    /// The status events of `orderID` with `seq` above `after`, oldest first.
    func events(ofOrder orderID: String, after: Int64) throws -> [OrderStatusEvent] {
        try query(
            "SELECT seq, status, at_ms, reason FROM order_events WHERE order_id = ? AND seq > ? ORDER BY seq",
            bindings: [.text(orderID), .integer(after)]
        ).map { row in
            OrderStatusEvent(
                orderID: orderID,
                seq: try row.int64(0),
                status: try Self.status(try row.string(1)),
                atMs: try row.int64(2),
                reason: try row.string(3))
        }
    }

    /// Appends `event` to its order's history, and has it announced to the
    /// other replicas (``OrderEventNotice``) once the transaction commits; a
    /// no-op on SQLite, where this process's own hub is the only one.
    func insert(_ event: OrderStatusEvent) throws {
        try run(
            "INSERT INTO order_events (order_id, seq, status, at_ms, reason) VALUES (?, ?, ?, ?, ?)",
            bindings: [
                .text(event.orderID), .integer(event.seq), .text(event.status.storageName),
                .integer(event.atMs), .text(event.reason),
            ])
        try notify(OrderEventNotice.channel, payload: OrderEventNotice(event).payload)
    }

    private func orders(_ sql: String, bindings: [SQLiteValue]) throws -> [(number: Int64, order: Bigshop_Orders_V1_Order)] {
        try query(sql, bindings: bindings).map { row in
            let id = try row.string(1)
            let order = Bigshop_Orders_V1_Order(
                id: id,
                userId: try row.string(2),
                items: try items(ofOrder: id),
                totalCents: try row.int64(5),
                status: try Self.status(try row.string(3)),
                statusReason: try row.string(4),
                createdAtMs: try row.int64(6),
                updatedAtMs: try row.int64(7),
                paymentDueAtMs: try row.int64(8))
            return (try row.int64(0), order)
        }
    }

    private func items(ofOrder orderID: String) throws -> [Bigshop_Orders_V1_OrderItem] {
        try query(
            "SELECT product_id, name, quantity, unit_price_cents FROM order_items WHERE order_id = ? ORDER BY line",
            bindings: [.text(orderID)]
        ).map { row in
            Bigshop_Orders_V1_OrderItem(
                productId: try row.string(0),
                name: try row.string(1),
                quantity: try row.int64(2),
                unitPriceCents: try row.int64(3))
        }
    }

    private static func status(_ name: String) throws -> Bigshop_Orders_V1_OrderStatus {
        guard let status = Bigshop_Orders_V1_OrderStatus(storageName: name) else {
            throw StoredDataError(description: "unknown order status '\(name)' in orders.sqlite")
        }
        return status
    }
}
