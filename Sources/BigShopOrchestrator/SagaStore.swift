import BigRPCCodec
import BigShopOrdersAPI
import BigShopStore

/// The saga log: the `sagas` table of `orchestrator.sqlite`.
///
/// Every state change is a compare-and-set `UPDATE … WHERE order_id = ? AND
/// state = ?` in its own transaction: of two flows racing on one order, the
/// first to commit wins and the other sees that it lost.
struct SagaStore: Sendable {
    let database: Database

    /// The states of an unpaid cart order, checkouts in progress included:
    /// what ``CheckoutLimits`` counts.
    static let unpaidStates: [SagaState] = [.reserving, .creating, .awaitingPayment, .paying]

    private static let columns = """
        order_id, kind, user_id, state, reason, payment_id, lines, amount_cents, payment_due_at_ms, campaign_id,
        created_at_ms, updated_at_ms
        """

    // MARK: Reading

    /// The saga of order `orderID`, or nil.
    func saga(_ orderID: String) async throws -> SagaRecord? {
        try await database.read { connection in
            try connection.queryOne("SELECT \(Self.columns) FROM sagas WHERE order_id = ?", .text(orderID))
                .map(Self.record)
        }
    }

    /// The saga started with idempotency key `key` in `scope`, or nil.
    func saga(idempotencyKey key: String, scope: String) async throws -> SagaRecord? {
        try await database.read { connection in
            try connection.queryOne(
                "SELECT \(Self.columns) FROM sagas WHERE idempotency_scope = ? AND idempotency_key = ?",
                .text(scope), .text(key)
            ).map(Self.record)
        }
    }

    /// Every saga between steps (not resting): what recovery resumes.
    func unsettledSagas() async throws -> [SagaRecord] {
        try await database.read { connection in
            try connection.query(
                """
                SELECT \(Self.columns) FROM sagas
                WHERE state IN ('reserving', 'creating', 'paying', 'confirming', 'cancelling')
                ORDER BY created_at_ms, order_id
                """
            ).map(Self.record)
        }
    }

    /// Up to `limit` sagas awaiting a payment due at or before `nowMs`,
    /// earliest first.
    func sagasDue(atMs nowMs: Int64, limit: Int) async throws -> [SagaRecord] {
        try await database.read { connection in
            try connection.query(
                """
                SELECT \(Self.columns) FROM sagas
                WHERE state = 'awaiting_payment' AND payment_due_at_ms <= ?
                ORDER BY payment_due_at_ms LIMIT ?
                """, .integer(nowMs), .integer(Int64(limit))
            ).map(Self.record)
        }
    }

    /// The earliest payment due time of the sagas awaiting payment, or nil.
    func earliestDueMs() async throws -> Int64? {
        try await database.read { connection in
            try connection.queryOne(
                "SELECT min(payment_due_at_ms) FROM sagas WHERE state = 'awaiting_payment'"
            )?.optionalInt64(0)
        }
    }

    // MARK: Writing

    /// Inserts `saga`, with its idempotency key if any. Returns false, writing
    /// nothing, if the order id or the key is already taken.
    func insert(_ saga: SagaRecord, idempotencyKey: (scope: String, key: String)?) async throws -> Bool {
        let lines = try Self.encode(saga.lines)
        return try await database.writeBatched { connection in
            try Self.insert(saga, lines: lines, idempotencyKey: idempotencyKey, in: connection)
        }
    }

    /// Inserts the cart checkout `saga` if its customer is within `limits`
    /// at `nowMs`, in one transaction with the check, so that concurrent
    /// checkouts of one customer cannot both pass it. Returns false, writing
    /// nothing, if the order id or the key is already taken (a retry: the
    /// limits are not checked then).
    ///
    /// - Throws: ``CheckoutRefusal`` if a limit refuses the checkout.
    func insertCheckout(
        _ saga: SagaRecord,
        idempotencyKey: (scope: String, key: String)?,
        limits: CheckoutLimits,
        nowMs: Int64
    ) async throws -> Bool {
        let lines = try Self.encode(saga.lines)
        return try await database.writeBatched { connection in
            if let idempotencyKey,
                try connection.queryOne(
                    "SELECT 1 FROM sagas WHERE idempotency_scope = ? AND idempotency_key = ?",
                    .text(idempotencyKey.scope), .text(idempotencyKey.key)
                ) != nil
            {
                return false
            }
            try Self.check(saga, against: limits, nowMs: nowMs, in: connection)
            return try Self.insert(saga, lines: lines, idempotencyKey: idempotencyKey, in: connection)
        }
    }

    /// Throws the first limit `saga` breaks: too many unpaid orders, too many
    /// units of a product, or a cancellation too recent.
    private static func check(
        _ saga: SagaRecord,
        against limits: CheckoutLimits,
        nowMs: Int64,
        in connection: Connection
    ) throws {
        let placeholders = unpaidStates.map { _ in "?" }.joined(separator: ", ")
        let unpaid = try connection.query(
            "SELECT lines FROM sagas WHERE user_id = ? AND kind = 'cart' AND state IN (\(placeholders))",
            bindings: [.text(saga.userID)] + unpaidStates.map { .text($0.rawValue) }
        ).map { try Bigshop_Orders_V1_Order(serializedBytes: $0.blob(0)).items }
        guard unpaid.count < limits.maxUnpaidOrders else {
            throw CheckoutRefusal.tooManyUnpaidOrders(limit: limits.maxUnpaidOrders)
        }
        var held: [String: Int64] = [:]
        for item in unpaid.joined() {
            held[item.productId] = held[item.productId, default: 0].addingSaturated(item.quantity)
        }
        for line in saga.lines {
            let already = held[line.productId, default: 0]
            guard already.addingSaturated(line.quantity) <= limits.maxUnitsPerProduct else {
                throw CheckoutRefusal.productLimit(
                    productID: line.productId, name: line.name, held: already, asked: line.quantity,
                    limit: limits.maxUnitsPerProduct)
            }
        }
        let cooldownMs = limits.cooldownMs
        guard cooldownMs > 0 else { return }
        var lastCancellationMs: Int64?
        for state in [SagaState.cancelling, .cancelled] {
            if let atMs = try connection.queryOne(
                "SELECT max(updated_at_ms) FROM sagas WHERE user_id = ? AND kind = 'cart' AND state = ?",
                .text(saga.userID), .text(state.rawValue)
            )?.optionalInt64(0) {
                lastCancellationMs = max(lastCancellationMs ?? .min, atMs)
            }
        }
        if let lastCancellationMs {
            let endsAtMs = lastCancellationMs.addingSaturated(cooldownMs)
            if endsAtMs > nowMs {
                let (wait, overflow) = endsAtMs.subtractingReportingOverflow(nowMs)
                throw CheckoutRefusal.coolingDown(retryAfterMs: overflow ? .max : wait)
            }
        }
    }

    private static func insert(
        _ saga: SagaRecord,
        lines: [UInt8],
        idempotencyKey: (scope: String, key: String)?,
        in connection: Connection
    ) throws -> Bool {
        try connection.run(
            """
            INSERT INTO sagas (order_id, kind, user_id, state, reason, payment_id, lines, amount_cents,
                payment_due_at_ms, campaign_id, idempotency_scope, idempotency_key, created_at_ms, updated_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """,
            bindings: [
                .text(saga.orderID), .text(saga.kind.rawValue), .text(saga.userID), .text(saga.state.rawValue),
                .text(saga.reason), .text(saga.paymentID), .blob(lines), .integer(saga.amountCents),
                .integer(saga.paymentDueAtMs), .text(saga.campaignID),
                idempotencyKey.map { .text($0.scope) } ?? .null, idempotencyKey.map { .text($0.key) } ?? .null,
                .integer(saga.createdAtMs), .integer(saga.updatedAtMs),
            ])
        return connection.changes == 1
    }

    /// Moves order `orderID` from state `from` to `to` with `change`, only
    /// if it is still in `from` (and, with `paymentID`, still on that
    /// payment). Returns whether it moved.
    func transition(
        _ orderID: String,
        from: SagaState,
        to: SagaState,
        change: SagaChange,
        ifPaymentID paymentID: String?,
        nowMs: Int64
    ) async throws -> Bool {
        let lines = try change.lines.map(Self.encode)
        return try await database.writeBatched { connection in
            try connection.run(
                """
                UPDATE sagas SET
                    state = ?1,
                    reason = coalesce(?2, reason),
                    payment_id = coalesce(?3, payment_id),
                    lines = coalesce(?4, lines),
                    amount_cents = coalesce(?5, amount_cents),
                    payment_due_at_ms = coalesce(?6, payment_due_at_ms),
                    idempotency_scope = CASE WHEN ?7 = 1 THEN NULL ELSE idempotency_scope END,
                    idempotency_key = CASE WHEN ?7 = 1 THEN NULL ELSE idempotency_key END,
                    updated_at_ms = ?8
                WHERE order_id = ?9 AND state = ?10 AND payment_id = coalesce(?11, payment_id)
                """,
                bindings: [
                    .text(to.rawValue), change.reason.map { .text($0) } ?? .null,
                    change.paymentID.map { .text($0) } ?? .null, lines.map { .blob($0) } ?? .null,
                    change.amountCents.map { .integer($0) } ?? .null,
                    change.paymentDueAtMs.map { .integer($0) } ?? .null,
                    .integer(change.releasesIdempotencyKey ? 1 : 0), .integer(nowMs), .text(orderID),
                    .text(from.rawValue), paymentID.map { .text($0) } ?? .null,
                ])
            return connection.changes == 1
        }
    }

    // MARK: Rows

    /// The lines column: an `Order` message holding only its items.
    private static func encode(_ lines: [Bigshop_Orders_V1_OrderItem]) throws -> [UInt8] {
        try Bigshop_Orders_V1_Order(items: lines).serializedBytes()
    }

    private static func record(_ row: Row) throws -> SagaRecord {
        let kind = try row.string("kind")
        let state = try row.string("state")
        guard let sagaKind = SagaKind(rawValue: kind), let sagaState = SagaState(rawValue: state) else {
            throw SagaStoreError.unknownValue(kind: kind, state: state)
        }
        return SagaRecord(
            orderID: try row.string("order_id"),
            kind: sagaKind,
            userID: try row.string("user_id"),
            state: sagaState,
            reason: try row.string("reason"),
            paymentID: try row.string("payment_id"),
            lines: try Bigshop_Orders_V1_Order(serializedBytes: row.blob("lines")).items,
            amountCents: try row.int64("amount_cents"),
            paymentDueAtMs: try row.int64("payment_due_at_ms"),
            campaignID: try row.string("campaign_id"),
            createdAtMs: try row.int64("created_at_ms"),
            updatedAtMs: try row.int64("updated_at_ms"))
    }
}

/// A `sagas` row this code cannot read: the database is newer than the code.
enum SagaStoreError: Error, CustomStringConvertible {
    case unknownValue(kind: String, state: String)

    var description: String {
        switch self {
        case .unknownValue(let kind, let state): "unknown saga kind '\(kind)' or state '\(state)'"
        }
    }
}
