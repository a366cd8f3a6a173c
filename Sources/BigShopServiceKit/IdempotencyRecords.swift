public import BigRPCCodec
public import BigShopStore

/// Stored answers of mutating calls made with an `idempotency-key`, so a
/// retry gets the first call's result instead of doing the work twice.
///
/// Each service keeps them in its own database: include ``migration`` in the
/// service's migrations, then use ``find(_:key:scope:in:)`` and
/// ``save(_:key:scope:in:)`` inside the transaction that does the work, so the
/// record and the work commit together.
public enum IdempotencyRecords {
    /// Creates the `idempotency_records` table.
    public static func migration(version: Int) -> Migration {
        Migration(
            version: version, name: "idempotency records",
            sql: """
                CREATE TABLE idempotency_records (
                    scope TEXT NOT NULL,
                    key TEXT NOT NULL,
                    response BLOB NOT NULL,
                    PRIMARY KEY (scope, key)
                );
                """)
    }

    /// The response saved for (`scope`, `key`), e.g. scope `checkout:<user>`.
    public static func find<M: ProtoMessage>(_ type: M.Type, key: String, scope: String, in connection: Connection) throws -> M? {
        guard
            let row = try connection.queryOne(
                "SELECT response FROM idempotency_records WHERE scope = ? AND key = ?", .text(scope), .text(key)
            )
        else { return nil }
        return try M(serializedBytes: try row.blob(0))
    }

    /// Saves the response of the first call with (`scope`, `key`).
    public static func save<M: ProtoMessage>(_ response: M, key: String, scope: String, in connection: Connection) throws {
        try connection.run(
            "INSERT INTO idempotency_records (scope, key, response) VALUES (?, ?, ?)",
            .text(scope), .text(key), .blob(try response.serializedBytes())
        )
    }
}
