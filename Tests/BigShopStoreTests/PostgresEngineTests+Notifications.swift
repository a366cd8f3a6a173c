import BigShopTestSupport
import Testing

@testable import BigShopStore

/// LISTEN/NOTIFY through ``DatabaseListener`` and ``Connection/notify(_:payload:)``: part of
/// the PostgreSQL engine's suite, so that `scripts/test-postgres` runs it.
extension PostgresEngineTests {
    /// Starts a listener on `channel` of `location` that records what it hears.
    func listen(
        on location: DatabaseLocation, channel: String = "changes"
    ) async throws -> (DatabaseListener, HeardNotifications) {
        let heard = HeardNotifications()
        let listener = try await DatabaseListener.start(
            on: location, channel: channel,
            options: .init(initialReconnectDelay: .milliseconds(20), maximumReconnectDelay: .milliseconds(200))
        ) { heard.append($0) }
        return (listener, heard)
    }

    @Test func notificationsArriveAfterCommitInOrderAndNeverFromRollbacks() async throws {
        try await withDatabase { db, location in
            let (listener, heard) = try await listen(on: location)
            #expect(listener.isListening)
            #expect(listener.backendProcessID != nil)

            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await db.write { connection in
                    try connection.notify("changes", payload: "rolled back")
                    throw Abort()
                }
            }
            try await db.write { connection in
                try connection.notify("changes", payload: "1")
                // A savepoint rolled back takes its notification with it.
                _ = try? connection.inSavepoint {
                    try connection.notify("changes", payload: "savepoint rolled back")
                    throw Abort()
                }
                try connection.notify("changes", payload: "2")
            }
            try await db.writeBatched { try $0.notify("changes", payload: "3") }
            try #require(await eventually { heard.payloads.count >= 3 })
            try await Task.sleep(for: .milliseconds(100))
            #expect(heard.all == [.payload("1"), .payload("2"), .payload("3")])

            await listener.close()
            #expect(!listener.isListening)
            try await db.write { try $0.notify("changes", payload: "after close") }
            try await Task.sleep(for: .milliseconds(100))
            #expect(heard.payloads == ["1", "2", "3"])
        }
    }

    @Test func channelsAreScopedToTheirSchema() async throws {
        try await withDatabase { db, location in
            try await withDatabase { other, otherLocation in
                let (listener, heard) = try await listen(on: location)
                let (otherListener, otherHeard) = try await listen(on: otherLocation)
                let (elsewhere, elsewhereHeard) = try await listen(on: location, channel: "other_changes")
                try await other.write { try $0.notify("changes", payload: "other schema") }
                try await db.write { try $0.notify("changes", payload: "this schema") }
                try #require(await eventually { heard.payloads == ["this schema"] && otherHeard.payloads == ["other schema"] })
                try await Task.sleep(for: .milliseconds(100))
                #expect(heard.payloads == ["this schema"])
                #expect(otherHeard.payloads == ["other schema"])
                #expect(elsewhereHeard.all.isEmpty)
                await listener.close()
                await otherListener.close()
                await elsewhere.close()
            }
        }
    }

    @Test func aListenerWhoseBackendIsTerminatedReconnectsAndSaysItMayHaveMissedSome() async throws {
        try await withDatabase { db, location in
            let (listener, heard) = try await listen(on: location)
            let first = try #require(listener.backendProcessID)
            try await db.write { try $0.notify("changes", payload: "before") }
            try #require(await eventually { heard.payloads == ["before"] })

            let terminated = try await db.write { connection in
                try connection.queryOne("SELECT pg_terminate_backend(CAST(? AS integer)) AS done", .integer(Int64(first)))?.int64("done")
            }
            #expect(terminated == 1)
            try #require(await eventually { heard.all.last == .resumed })
            #expect(listener.reconnectCount == 1)
            #expect(listener.isListening)
            #expect(listener.backendProcessID != first)

            try await db.write { try $0.notify("changes", payload: "after") }
            try #require(await eventually { heard.payloads.last == "after" })
            #expect(heard.all.filter { $0 == .resumed }.count == 1)
            await listener.close()
        }
    }

    @Test func badChannelNamesAreRefused() async throws {
        try await withDatabase { db, location in
            await #expect(throws: StoreError.self) { try await DatabaseListener.start(on: location, channel: "Bad-Name") { _ in } }
            let long = String(repeating: "x", count: 60)
            await #expect(throws: StoreError.self) { try await DatabaseListener.start(on: location, channel: long) { _ in } }
            await #expect(throws: StoreError.self) { try await db.write { try $0.notify("no spaces", payload: "") } }
        }
    }
}
