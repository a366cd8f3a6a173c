import BigShopServiceKit
import BigShopStore

/// The flash sale's tables: campaigns and holds. A hold is one unit of one
/// campaign taken by one customer, with the order that pays for it; its
/// state goes `held` → `sold` or `held` → `released`.
///
/// Writes are fenced: each checks, in its own transaction, that this
/// instance still holds the `flashsale-owner` lease in `epoch`, so an owner
/// that lost it (paused past its lease) commits nothing.
struct FlashSaleStore: Sendable {
    let database: Database
    let lease: ServiceLease

    func insertCampaign(_ campaign: Campaign, createdAtMs: Int64, epoch: Int64) async throws {
        let lease = self.lease
        try await database.write { connection in
            try lease.checkFence(epoch: epoch, in: connection)
            try connection.run(
                """
                INSERT INTO campaigns (id, product_id, product_name, starts_at_ms, drops, units_per_drop,
                    price_cents, drop_interval_ms, hold_ms, per_customer_limit, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(campaign.id), .text(campaign.productID), .text(campaign.productName),
                .integer(campaign.startsAtMs), .integer(Int64(campaign.drops)), .integer(Int64(campaign.unitsPerDrop)),
                .integer(campaign.priceCents), .integer(campaign.dropIntervalMs), .integer(campaign.holdMs),
                .integer(Int64(campaign.perCustomerLimit)), .integer(createdAtMs)
            )
        }
    }

    func campaigns() async throws -> [Campaign] {
        try await database.read { connection in
            try connection.query(
                """
                SELECT id, product_id, product_name, starts_at_ms, drops, units_per_drop, price_cents,
                    drop_interval_ms, hold_ms, per_customer_limit
                FROM campaigns ORDER BY created_at_ms
                """
            ).map { row in
                Campaign(
                    id: try row.string(0), productID: try row.string(1), productName: try row.string(2),
                    startsAtMs: try row.int64(3), drops: try row.int(4), unitsPerDrop: try row.int(5),
                    priceCents: try row.int64(6), dropIntervalMs: try row.int64(7), holdMs: try row.int64(8),
                    perCustomerLimit: try row.int(9)
                )
            }
        }
    }

    /// Records a granted hold. Batched with concurrent holds into one
    /// transaction (group commit); returns once that commit is durable.
    func insertHold(_ hold: Hold, epoch: Int64) async throws {
        let lease = self.lease
        try await database.writeBatched { connection in
            try lease.checkFence(epoch: epoch, in: connection)
            try connection.run(
                """
                INSERT INTO holds (id, campaign_id, unit, user_id, drop_index, order_id, state, created_at_ms, expires_at_ms, epoch)
                VALUES (?, ?, ?, ?, ?, ?, 'held', ?, ?, ?)
                """,
                .text(hold.id), .text(hold.campaignID), .integer(Int64(hold.unit)), .text(hold.userID),
                .integer(Int64(hold.dropIndex)), .text(hold.orderID), .integer(hold.createdAtMs), .integer(hold.expiresAtMs),
                .integer(epoch)
            )
        }
    }

    /// Moves the hold of `orderID` from `held` to `state`; returns the hold if
    /// it moved, nil if it was not held (already settled, or unknown).
    func settle(orderID: String, to state: Hold.State, atMs nowMs: Int64, epoch: Int64) async throws -> Hold? {
        let lease = self.lease
        return try await database.writeBatched { connection in
            try lease.checkFence(epoch: epoch, in: connection)
            guard
                let row = try connection.queryOne(
                    "SELECT \(Hold.columns) FROM holds WHERE order_id = ? AND state = 'held'", .text(orderID)
                )
            else { return nil }
            try connection.run(
                "UPDATE holds SET state = ?, settled_at_ms = ? WHERE order_id = ? AND state = 'held'",
                .text(state.rawValue), .integer(nowMs), .text(orderID)
            )
            return try Hold(row: row)
        }
    }

    /// Every hold of a campaign still `held` or `sold`: the units not in its ring.
    func liveHolds(campaignID: String) async throws -> [Hold] {
        try await database.read { connection in
            try connection.query(
                "SELECT \(Hold.columns) FROM holds WHERE campaign_id = ? AND state IN ('held', 'sold')",
                .text(campaignID)
            ).map(Hold.init(row:))
        }
    }

    /// Takes or renews the owner's lease (see ``ServiceLease/acquire(in:)``).
    func acquireLease(evenIfLive: Bool = false) async throws -> ServiceLease.Outcome {
        let lease = self.lease
        return try await database.write { try lease.acquire(in: $0, evenIfLive: evenIfLive) }
    }

    /// Lets the owner's lease lapse at once (graceful shutdown).
    func releaseLease() async throws {
        let lease = self.lease
        try await database.write { try lease.release(in: $0) }
    }

    /// Counts of a campaign's holds by state, for tests and operations.
    func holdCounts(campaignID: String) async throws -> [Hold.State: Int] {
        try await database.read { connection in
            var counts: [Hold.State: Int] = [:]
            for row in try connection.query(
                "SELECT state, COUNT(*) FROM holds WHERE campaign_id = ? GROUP BY state", .text(campaignID)
            ) {
                if let state = Hold.State(rawValue: try row.string(0)) { counts[state] = try row.int(1) }
            }
            return counts
        }
    }
}

/// One unit taken by one customer.
struct Hold: Hashable, Sendable {
    enum State: String, Sendable {
        case held, sold, released
    }

    var id: String
    var campaignID: String
    var unit: UInt32
    var userID: String
    var dropIndex: Int
    var orderID: String
    var state: State
    var createdAtMs: Int64
    var expiresAtMs: Int64

    static let columns = "id, campaign_id, unit, user_id, drop_index, order_id, state, created_at_ms, expires_at_ms"

    init(
        id: String, campaignID: String, unit: UInt32, userID: String, dropIndex: Int, orderID: String,
        state: State, createdAtMs: Int64, expiresAtMs: Int64
    ) {
        self.id = id
        self.campaignID = campaignID
        self.unit = unit
        self.userID = userID
        self.dropIndex = dropIndex
        self.orderID = orderID
        self.state = state
        self.createdAtMs = createdAtMs
        self.expiresAtMs = expiresAtMs
    }

    init(row: Row) throws {
        guard let state = State(rawValue: try row.string(6)) else {
            throw FlashSaleDataError.unknownHoldState(try row.string(6))
        }
        let storedUnit = try row.int64(2)
        guard let unit = UInt32(exactly: storedUnit) else { throw FlashSaleDataError.unitOutOfRange(storedUnit) }
        self.init(
            id: try row.string(0), campaignID: try row.string(1), unit: unit,
            userID: try row.string(3), dropIndex: try row.int(4), orderID: try row.string(5),
            state: state, createdAtMs: try row.int64(7), expiresAtMs: try row.int64(8)
        )
    }
}

/// Data in the flash sale's database this code cannot read.
enum FlashSaleDataError: Error {
    case unknownHoldState(String)
    case unitOutOfRange(Int64)
}
