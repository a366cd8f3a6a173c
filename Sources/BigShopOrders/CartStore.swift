import BigRPC
import BigShopOrdersAPI
import BigShopStore

/// The `carts` table: one row per (user, product) with a positive quantity,
/// listed in the order the lines were added.
struct CartStore: Sendable {
    let database: Database

    /// The lines of `userID`'s cart, oldest first.
    func lines(of userID: String) async throws -> [CartLine] {
        try await database.read { connection in
            try Self.lines(of: userID, in: connection)
        }
    }

    /// Sets (or, with quantity 0, removes) the line of `productID`, first
    /// dropping the lines of `unavailable` products, and returns the cart's
    /// lines.
    ///
    /// A new line beyond `maxLines` lines is refused with FAILED_PRECONDITION
    /// reason `CART_FULL`; changing an existing line always works.
    func setQuantity(
        _ quantity: Int64,
        of productID: String,
        for userID: String,
        maxLines: Int,
        droppingUnavailable unavailable: Set<String>
    ) async throws -> [CartLine] {
        try await database.writeBatched { connection in
            for stale in unavailable where stale != productID {
                try connection.run(
                    "DELETE FROM carts WHERE user_id = ? AND product_id = ?", bindings: [.text(userID), .text(stale)])
            }
            if quantity == 0 {
                try connection.run(
                    "DELETE FROM carts WHERE user_id = ? AND product_id = ?", bindings: [.text(userID), .text(productID)])
                return try Self.lines(of: userID, in: connection)
            }
            let lines = try Self.lines(of: userID, in: connection)
            if !lines.contains(where: { $0.productID == productID }) && lines.count >= maxLines {
                throw RPCError.refused(OrdersRefusalReason.cartFull, "a cart holds at most \(maxLines) products")
            }
            try connection.run(
                """
                INSERT INTO carts (user_id, product_id, quantity, added)
                VALUES (?, ?, ?, (SELECT coalesce(max(added), 0) + 1 FROM carts WHERE user_id = ?))
                ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = excluded.quantity
                """, bindings: [.text(userID), .text(productID), .integer(quantity), .text(userID)])
            return try Self.lines(of: userID, in: connection)
        }
    }

    /// Takes `items`' quantities out of `userID`'s cart, deleting lines that
    /// reach zero; part of the caller's transaction.
    static func remove(_ items: [Bigshop_Orders_V1_OrderItem], from userID: String, in connection: Connection) throws {
        for item in items {
            try connection.run(
                "DELETE FROM carts WHERE user_id = ? AND product_id = ? AND quantity <= ?",
                bindings: [.text(userID), .text(item.productId), .integer(item.quantity)])
            try connection.run(
                "UPDATE carts SET quantity = quantity - ? WHERE user_id = ? AND product_id = ?",
                bindings: [.integer(item.quantity), .text(userID), .text(item.productId)])
        }
    }

    private static func lines(of userID: String, in connection: Connection) throws -> [CartLine] {
        try connection.query(
            "SELECT product_id, quantity FROM carts WHERE user_id = ? ORDER BY added", bindings: [.text(userID)]
        ).map { CartLine(productID: try $0.string(0), quantity: try $0.int64(1)) }
    }
}

/// A stored cart line: a product and how many units of it. Prices are not
/// stored; a cart is priced when it is shown.
struct CartLine: Sendable, Hashable {
    var productID: String
    var quantity: Int64
}
