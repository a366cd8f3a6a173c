import BigRPC
import BigShopOrdersAPI
import BigShopServiceKit
import BigShopStore
import Logging

/// Orders, their lines and their status history in `orders.sqlite`, and the
/// one code path that changes an order's status.
///
/// Every status change (creation included) is one write (a savepoint of a
/// group commit) that updates the order and appends an `order_events` row
/// with the order's next `seq`; once `Database.writeBatched` returns — its
/// group commit done — the event is published on the ``OrderEventHub``.
/// Writes are serialized by the store's writer thread, so per order the
/// `seq`s follow commit order. `Database` offers no hook that runs on the
/// writer thread after COMMIT, so two writers resuming from their commits may
/// publish in either order; watchers put events back in `seq` order
/// (``OrderEventFeed``). An event is never published before it is committed,
/// nor when its transaction rolled back.
///
/// On PostgreSQL the same transaction also sends an ``OrderEventNotice``,
/// which PostgreSQL delivers to every replica's listener only after COMMIT
/// (and never after a rollback), so other replicas' watchers hear of it too.
final class OrderStore: Sendable {
    private let database: Database
    private let clock: any ShopClock
    private let hub: OrderEventHub
    private let logger: Logger

    init(database: Database, clock: any ShopClock, hub: OrderEventHub, logger: Logger) {
        self.database = database
        self.clock = clock
        self.hub = hub
        self.logger = logger
    }

    // MARK: Reading

    /// The order `id`, or nil.
    func order(id: String) async throws -> Bigshop_Orders_V1_Order? {
        try await database.read { connection in try connection.order(id: id) }
    }

    /// The order `id`; NOT_FOUND if there is none.
    func existingOrder(id: String) async throws -> Bigshop_Orders_V1_Order {
        guard let order = try await order(id: id) else { throw Self.notFound(id) }
        return order
    }

    /// The status events of order `id` after `seq`, oldest first; nil if
    /// there is no such order.
    func events(ofOrder id: String, after seq: Int64) async throws -> [OrderStatusEvent]? {
        try await database.read { connection in
            guard try connection.order(id: id) != nil else { return nil }
            return try connection.events(ofOrder: id, after: seq)
        }
    }

    /// Up to `limit` orders newest first (`userID`'s, or everyone's when nil)
    /// numbered below `cursor`, and the cursor of the next page if there is one.
    func page(of userID: String?, limit: Int, after cursor: Int64?) async throws -> (orders: [Bigshop_Orders_V1_Order], next: Int64?) {
        let rows = try await database.read { connection in
            try connection.ordersNewestFirst(of: userID, before: cursor, limit: limit + 1)
        }
        let page = rows.prefix(limit)
        return (page.map(\.order), rows.count > limit ? page.last?.number : nil)
    }

    // MARK: Changing

    /// Creates `draft` (validated) as PENDING_PAYMENT with its first status
    /// event, taking its quantities out of the cart with `removeFromCart`, in
    /// one transaction. An existing id returns that order unchanged.
    func create(_ draft: Bigshop_Orders_V1_Order, removeFromCart: Bool) async throws -> Bigshop_Orders_V1_Order {
        let clock = self.clock
        let (order, event) = try await database.writeBatched { connection -> (Bigshop_Orders_V1_Order, OrderStatusEvent?) in
            if let existing = try connection.order(id: draft.id) { return (existing, nil) }
            let now = clock.nowMs()
            var order = draft
            order.status = .pendingPayment
            order.statusReason = ""
            order.createdAtMs = now
            order.updatedAtMs = now
            try connection.run(
                """
                INSERT INTO orders (id, user_id, status, status_reason, total_cents, created_at_ms, updated_at_ms,
                                    payment_due_at_ms, last_event_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                """,
                bindings: [
                    .text(order.id), .text(order.userId), .text(order.status.storageName), .text(""),
                    .integer(order.totalCents), .integer(now), .integer(now), .integer(order.paymentDueAtMs),
                ])
            for (line, item) in order.items.enumerated() {
                try connection.run(
                    """
                    INSERT INTO order_items (order_id, line, product_id, name, quantity, unit_price_cents)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    bindings: [
                        .text(order.id), .integer(Int64(line)), .text(item.productId), .text(item.name),
                        .integer(item.quantity), .integer(item.unitPriceCents),
                    ])
            }
            let event = OrderStatusEvent(orderID: order.id, seq: 1, status: order.status, atMs: now, reason: "")
            try connection.insert(event)
            if removeFromCart { try CartStore.remove(order.items, from: order.userId, in: connection) }
            return (order, event)
        }
        if let event { committed(event) }
        return order
    }

    /// PENDING_PAYMENT → CONFIRMED. A no-op for an order already confirmed
    /// (or shipped or delivered since); a cancelled one is FAILED_PRECONDITION.
    func confirm(_ id: String) async throws -> Bigshop_Orders_V1_Order {
        try await changeStatus(of: id) { status throws(RPCError) in
            switch status {
            case .pendingPayment: return StatusChange(status: .confirmed)
            case .confirmed, .shipped, .delivered: return nil
            default: throw Self.invalidMove(id, from: status, to: .confirmed)
            }
        }
    }

    /// PENDING_PAYMENT → CANCELLED with `reason`. A no-op for an order already
    /// cancelled; any other status is FAILED_PRECONDITION.
    func abandon(_ id: String, reason: String) async throws -> Bigshop_Orders_V1_Order {
        try await changeStatus(of: id) { status throws(RPCError) in
            switch status {
            case .pendingPayment: return StatusChange(status: .cancelled, reason: reason)
            case .cancelled: return nil
            default: throw Self.invalidMove(id, from: status, to: .cancelled)
            }
        }
    }

    /// The fulfilment moves: CONFIRMED → SHIPPED and SHIPPED → DELIVERED.
    /// Any other move, a repeat included, is FAILED_PRECONDITION.
    func fulfil(_ id: String, to target: Bigshop_Orders_V1_OrderStatus) async throws -> Bigshop_Orders_V1_Order {
        try await changeStatus(of: id) { status throws(RPCError) in
            switch (status, target) {
            case (.confirmed, .shipped), (.shipped, .delivered): return StatusChange(status: target)
            default: throw Self.invalidMove(id, from: status, to: target)
            }
        }
    }

    /// Loads order `id`, asks `decide` what its status becomes (nil: stays),
    /// and commits the change with its event; then publishes the event.
    private func changeStatus(
        of id: String,
        _ decide: @escaping @Sendable (Bigshop_Orders_V1_OrderStatus) throws(RPCError) -> StatusChange?
    ) async throws -> Bigshop_Orders_V1_Order {
        let clock = self.clock
        let (order, event) = try await database.writeBatched { connection -> (Bigshop_Orders_V1_Order, OrderStatusEvent?) in
            guard var order = try connection.order(id: id) else { throw Self.notFound(id) }
            guard let change = try decide(order.status) else { return (order, nil) }
            let now = clock.nowMs()
            guard
                let seq = try connection.queryOne(
                    """
                    UPDATE orders SET status = ?, status_reason = ?, updated_at_ms = ?, last_event_seq = last_event_seq + 1
                    WHERE id = ? RETURNING last_event_seq
                    """, bindings: [.text(change.status.storageName), .text(change.reason), .integer(now), .text(id)]
                )?.int64(0)
            else { throw Self.notFound(id) }
            let event = OrderStatusEvent(orderID: id, seq: seq, status: change.status, atMs: now, reason: change.reason)
            try connection.insert(event)
            order.status = change.status
            order.statusReason = change.reason
            order.updatedAtMs = now
            return (order, event)
        }
        if let event { committed(event) }
        return order
    }

    private func committed(_ event: OrderStatusEvent) {
        logger.debug(
            "order status changed",
            metadata: [
                "order-id": "\(event.orderID)", "status": "\(event.status.storageName)", "seq": "\(event.seq)",
                "reason": "\(event.reason)",
            ])
        hub.publish(event)
    }

    // MARK: Errors

    static func notFound(_ id: String) -> RPCError {
        RPCError(.notFound, "order \(id.statusPrefix()) not found")
    }

    static func invalidMove(
        _ id: String,
        from current: Bigshop_Orders_V1_OrderStatus,
        to target: Bigshop_Orders_V1_OrderStatus
    ) -> RPCError {
        RPCError.refused(
            OrdersRefusalReason.invalidStatusTransition,
            "order \(id.statusPrefix()) is \(current.storageName) and cannot become \(target.storageName)")
    }
}
