import BigShopStore
import Foundation

/// Reads a stopped shop's SQLite files directly, to check invariants that no
/// public API exposes (every payment of an order, reservation states).
struct ShopDatabases {
    let directory: String
    /// The directory of each database (by service name) that is not in
    /// ``directory``: the services ran in processes of their own.
    var directories: [String: String] = [:]

    func query(_ name: String, _ sql: String) async throws -> [Row] {
        let database = try await Database(path: (directories[name] ?? directory) + "/" + name + ".sqlite")
        // Closed before returning (not in a detached task), so the test's
        // cleanup never races SQLite removing its -wal and -shm files.
        let rows: [Row]
        do {
            rows = try await database.read { try $0.query(sql) }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
        return rows
    }

    /// Stock left per product.
    func stock() async throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for row in try await query("catalog", "SELECT id, stock FROM products") {
            result[try row.string(0)] = try row.int64(1)
        }
        return result
    }

    /// Units per product in orders of each status.
    func orderedUnits() async throws -> [String: [String: Int64]] {
        var result: [String: [String: Int64]] = [:]
        for row in try await query(
            "orders",
            """
            SELECT o.status, i.product_id, SUM(i.quantity)
            FROM orders o JOIN order_items i ON i.order_id = o.id
            GROUP BY o.status, i.product_id
            """)
        {
            result[try row.string(0), default: [:]][try row.string(1)] = try row.int64(2)
        }
        return result
    }

    /// Order id → status.
    func orderStatuses() async throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try await query("orders", "SELECT id, status FROM orders") {
            result[try row.string(0)] = try row.string(1)
        }
        return result
    }

    /// Order id → number of approved payments.
    func approvedPayments() async throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try await query("payments", "SELECT order_id, COUNT(*) FROM payments WHERE status = 'approved' GROUP BY order_id") {
            result[try row.string(0)] = try row.int(1)
        }
        return result
    }

    /// Reservation (order) id → state.
    func reservations() async throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try await query("catalog", "SELECT id, state FROM reservations") {
            result[try row.string(0)] = try row.string(1)
        }
        return result
    }
}
