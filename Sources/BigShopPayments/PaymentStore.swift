import BigShopPaymentsAPI
import BigShopServiceKit
import BigShopStore

/// The `payments` table of `payments.sqlite`, and the idempotency records of
/// `Pay`.
///
/// At most one payment of an order is APPROVED: a partial unique index
/// enforces it, whatever the flows do. Status changes are compare-and-set
/// from PENDING, so a payment settled one way is never settled another.
struct PaymentStore: Sendable {
    let database: Database

    private static let columns = """
        id, order_id, user_id, method, status, amount_cents, pix_txid, pix_copy_paste, card_last4, card_brand,
        decline_reason, created_at_ms
        """

    // MARK: Reading

    /// The payment `id`, or nil.
    func payment(id: String) async throws -> StoredPayment? {
        try await database.read { connection in
            try connection.queryOne("SELECT \(Self.columns) FROM payments WHERE id = ?", .text(id)).map(Self.stored)
        }
    }

    /// The Pix payment of transaction `txid`, or nil.
    func payment(txid: String) async throws -> StoredPayment? {
        try await database.read { connection in
            try connection.queryOne("SELECT \(Self.columns) FROM payments WHERE pix_txid = ?", .text(txid))
                .map(Self.stored)
        }
    }

    /// The payment a `Pay` with idempotency key `key` in `scope` made, as it
    /// is now, or nil.
    func payment(idempotencyKey key: String, scope: String) async throws -> StoredPayment? {
        try await database.read { connection in
            guard
                let first = try IdempotencyRecords.find(
                    Bigshop_Payments_V1_Payment.self, key: key, scope: scope, in: connection)
            else { return nil }
            return try connection.queryOne("SELECT \(Self.columns) FROM payments WHERE id = ?", .text(first.id))
                .map(Self.stored)
        }
    }

    /// Every payment of order `orderID`, oldest first.
    func payments(ofOrder orderID: String) async throws -> [Bigshop_Payments_V1_Payment] {
        try await database.read { connection in
            try connection.query(
                "SELECT \(Self.columns) FROM payments WHERE order_id = ? ORDER BY created_at_ms, attempt", .text(orderID)
            ).map { try Self.stored($0).payment }
        }
    }

    // MARK: Writing

    /// Records a new payment, with the idempotency key of the `Pay` that
    /// made it. If a payment already holds that key, records nothing and
    /// returns that one; otherwise returns nil.
    func insert(_ stored: StoredPayment, idempotencyKey: (scope: String, key: String)?) async throws -> StoredPayment? {
        try await database.writeBatched { connection in
            if let idempotencyKey,
                let first = try IdempotencyRecords.find(
                    Bigshop_Payments_V1_Payment.self, key: idempotencyKey.key, scope: idempotencyKey.scope, in: connection)
            {
                return try connection.queryOne("SELECT \(Self.columns) FROM payments WHERE id = ?", .text(first.id))
                    .map(Self.stored)
            }
            let payment = stored.payment
            try connection.run(
                """
                INSERT INTO payments (id, order_id, user_id, method, status, amount_cents, pix_txid, pix_copy_paste,
                    card_last4, card_brand, decline_reason, created_at_ms, updated_at_ms, attempt)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                    (SELECT coalesce(max(attempt), 0) + 1 FROM payments WHERE order_id = ?2))
                """,
                bindings: [
                    .text(payment.id), .text(payment.orderId), .text(stored.userID), .text(payment.method.storageName),
                    .text(payment.status.storageName), .integer(payment.amountCents),
                    payment.pixTxid.isEmpty ? .null : .text(payment.pixTxid), .text(payment.pixCopyPaste),
                    .text(payment.cardLast4), .text(payment.cardBrand), .text(payment.declineReason),
                    .integer(payment.createdAtMs), .integer(payment.createdAtMs),
                ])
            if let idempotencyKey {
                try IdempotencyRecords.save(payment, key: idempotencyKey.key, scope: idempotencyKey.scope, in: connection)
            }
            return nil
        }
    }

    /// PENDING → `status` (with `declineReason` for DECLINED). Returns false
    /// if the payment is no longer PENDING. Approving a payment of an order
    /// that already has an approved one throws the unique-index violation.
    func settle(
        _ id: String,
        to status: Bigshop_Payments_V1_PaymentStatus,
        declineReason: String = "",
        nowMs: Int64
    ) async throws -> Bool {
        try await database.writeBatched { connection in
            try connection.run(
                """
                UPDATE payments SET status = ?, decline_reason = ?, updated_at_ms = ?
                WHERE id = ? AND status = 'pending'
                """, .text(status.storageName), .text(declineReason), .integer(nowMs), .text(id))
            return connection.changes == 1
        }
    }

    /// PENDING payments of order `orderID` (only cards with `cardsOnly`)
    /// become `status`, with `declineReason`. Returns how many changed.
    @discardableResult
    func settlePending(
        ofOrder orderID: String,
        cardsOnly: Bool,
        to status: Bigshop_Payments_V1_PaymentStatus,
        declineReason: String,
        nowMs: Int64
    ) async throws -> Int {
        try await database.writeBatched { connection in
            try connection.run(
                """
                UPDATE payments SET status = ?, decline_reason = ?, updated_at_ms = ?
                WHERE order_id = ? AND status = 'pending' AND (? = 0 OR method = 'card')
                """, .text(status.storageName), .text(declineReason), .integer(nowMs), .text(orderID),
                .integer(cardsOnly ? 1 : 0))
            return connection.changes
        }
    }

    // MARK: Rows

    private static func stored(_ row: Row) throws -> StoredPayment {
        let method = try row.string("method")
        let status = try row.string("status")
        guard let paymentMethod = Bigshop_Payments_V1_PaymentMethod(storageName: method),
            let paymentStatus = Bigshop_Payments_V1_PaymentStatus(storageName: status)
        else { throw PaymentStoreError.unknownValue(method: method, status: status) }
        return StoredPayment(
            payment: Bigshop_Payments_V1_Payment(
                id: try row.string("id"),
                orderId: try row.string("order_id"),
                method: paymentMethod,
                status: paymentStatus,
                amountCents: try row.int64("amount_cents"),
                pixTxid: try row.optionalString("pix_txid") ?? "",
                pixCopyPaste: try row.string("pix_copy_paste"),
                cardLast4: try row.string("card_last4"),
                cardBrand: try row.string("card_brand"),
                declineReason: try row.string("decline_reason"),
                createdAtMs: try row.int64("created_at_ms")),
            userID: try row.string("user_id"))
    }
}

/// A `payments` row this code cannot read: the database is newer than the code.
enum PaymentStoreError: Error, CustomStringConvertible {
    case unknownValue(method: String, status: String)

    var description: String {
        switch self {
        case .unknownValue(let method, let status): "unknown payment method '\(method)' or status '\(status)'"
        }
    }
}
