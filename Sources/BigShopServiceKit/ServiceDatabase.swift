public import BigShopStore

/// How each service opens its own database: a SQLite file under the data directory, or a
/// schema of the shop's PostgreSQL database (``ShopStorage``).
public enum ServiceDatabase {
    /// Opens (creating if needed) the database of the service `name` and applies the
    /// service's migrations, under a namespace of the same name.
    public static func open(
        named name: String,
        in storage: ShopStorage,
        migrations: [Migration],
        configuration: DatabaseConfiguration = DatabaseConfiguration()
    ) async throws -> Database {
        let database = try await Database(
            location: storage.location(forService: name), configuration: storage.adjusted(configuration, forService: name))
        do {
            try await database.migrate(Migrator(namespace: name, migrations: migrations))
        } catch {
            await database.close()
            throw error
        }
        return database
    }
}
