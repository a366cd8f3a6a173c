import BigShopStore
import BigShopTestSupport

/// The ground truth of one product's units, read straight from
/// `catalog.sqlite` (a second connection to the file the module has open):
/// what the API does not show, such as a deleted product's stock.
struct StoredUnits: Equatable, CustomStringConvertible {
    var stock: Int64
    var held: Int64
    var committed: Int64

    /// Every unit the product ever had: sellable, held or sold.
    var total: Int64 { stock + held + committed }

    var description: String { "stock \(stock), held \(held), committed \(committed)" }

    static func read(productID: String, directory: String) async throws -> StoredUnits {
        let database = try await Database(
            location: TestStorage.forDirectory(directory).location(forService: "catalog"),
            configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        do {
            let units = try await database.read { connection in
                let stock = try connection.queryOne("SELECT stock FROM products WHERE id = ?", .text(productID))?.int64(0)
                let sums = try connection.queryOne(
                    """
                    SELECT coalesce(sum(CASE r.state WHEN 'HELD' THEN l.quantity END), 0),
                           coalesce(sum(CASE r.state WHEN 'COMMITTED' THEN l.quantity END), 0)
                    FROM reservation_lines l JOIN reservations r ON r.id = l.reservation_id
                    WHERE l.product_id = ?
                    """, .text(productID))
                return StoredUnits(stock: stock ?? -1, held: try sums?.int64(0) ?? 0, committed: try sums?.int64(1) ?? 0)
            }
            await database.close()
            return units
        } catch {
            await database.close()
            throw error
        }
    }
}
