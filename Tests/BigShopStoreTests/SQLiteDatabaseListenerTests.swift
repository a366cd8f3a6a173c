import Testing

@testable import BigShopStore

/// On SQLite the notification API is inert: one process owns the file.
@Suite("DatabaseListener on SQLite")
struct SQLiteDatabaseListenerTests {
    @Test func listeningAndNotifyingDoNothing() async throws {
        try await withTemporaryDirectory { directory in
            let location = DatabaseLocation.sqlite(path: directory + "/n.sqlite")
            let db = try await Database(location: location)
            let heard = HeardNotifications()
            let listener = try await DatabaseListener.start(on: location, channel: "changes") { heard.append($0) }
            #expect(!listener.isListening)
            #expect(listener.backendProcessID == nil)
            try await db.write { try $0.notify("changes", payload: "ignored") }
            try await db.writeBatched { try $0.notify("changes", payload: "ignored") }
            #expect(heard.all.isEmpty)
            await listener.close()
            await db.close()
        }
    }
}
