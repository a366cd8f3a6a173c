public import BigShopStore

/// How each service opens its own SQLite file under the data directory.
public enum ServiceDatabase {
    /// Opens (creating if needed) `<directory>/<name>.sqlite` and applies the
    /// service's migrations, under a namespace of the same name.
    public static func open(
        named name: String,
        in directory: String,
        migrations: [Migration],
        configuration: DatabaseConfiguration = DatabaseConfiguration()
    ) async throws -> Database {
        let database = try await Database(path: directory + "/" + name + ".sqlite", configuration: configuration)
        do {
            try await database.migrate(Migrator(namespace: name, migrations: migrations))
        } catch {
            await database.close()
            throw error
        }
        return database
    }
}
