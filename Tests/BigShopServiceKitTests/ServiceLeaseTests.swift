import BigShopServiceKit
import BigShopStore
import BigShopTestSupport
import Foundation
import Testing

/// Leases with fencing epochs, on SQLite and (when the test cluster is there) PostgreSQL.
@Suite("Service leases", .timeLimit(.minutes(2)))
struct ServiceLeaseTests {
    enum Engine: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// A database with the leases table, in a temporary file or a fresh schema.
    func withLeases<T>(_ engine: Engine, _ body: (Database) async throws -> T) async throws -> T? {
        let location: DatabaseLocation
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lease-\(UUID().uuidString)").path
        switch engine {
        case .sqlite:
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            location = .sqlite(path: directory + "/leases.sqlite")
        case .postgres:
            guard let fresh = TestPostgres.freshLocation("lease") else { return nil }
            location = fresh
        }
        let database = try await Database(location: location, configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 4))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await database.migrate(Migrator(namespace: "leases", migrations: [ServiceLease.migration(version: 1)]))
        do {
            let value = try await body(database)
            await database.close()
            if case .postgres(_, let schema) = location { await TestPostgres.dropSchema(schema) }
            return value
        } catch {
            await database.close()
            if case .postgres(_, let schema) = location { await TestPostgres.dropSchema(schema) }
            throw error
        }
    }

    @Test(arguments: Engine.allCases)
    func oneHolderRenewsAndAnotherTakesOverOnlyAfterExpiry(engine: Engine) async throws {
        _ = try await withLeases(engine) { database in
            let first = ServiceLease(name: "owner", holder: "a", address: "10.0.0.1:7071", ttlMs: 60_000)
            let second = ServiceLease(name: "owner", holder: "b", address: "10.0.0.2:7071", ttlMs: 60_000)
            #expect(try await database.write { try first.acquire(in: $0) } == .held(epoch: 1, tookOver: true))
            #expect(try await database.write { try first.acquire(in: $0) } == .held(epoch: 1, tookOver: false))
            guard case .heldByOther(let state) = try await database.write({ try second.acquire(in: $0) }) else {
                Issue.record("b took a live lease")
                return
            }
            #expect(state.holder == "a" && state.address == "10.0.0.1:7071" && state.epoch == 1)
            // a lapses (paused, or dead): b takes over with a new epoch.
            try await database.write { try $0.run("UPDATE leases SET expires_at_ms = 0") }
            #expect(try await database.write { try second.acquire(in: $0) } == .held(epoch: 2, tookOver: true))
            // a wakes up: it is told who holds the lease, and renews nothing.
            guard case .heldByOther(let now) = try await database.write({ try first.acquire(in: $0) }) else {
                Issue.record("a renewed a lease it had lost")
                return
            }
            #expect(now.holder == "b" && now.epoch == 2)
        }
    }

    /// The SIGSTOP case: an owner paused past its lease writes after the takeover; the
    /// fence in its transaction refuses the write and nothing of it is stored.
    @Test(arguments: Engine.allCases)
    func aStaleEpochCommitsNothing(engine: Engine) async throws {
        _ = try await withLeases(engine) { database in
            try await database.write { try $0.execute("CREATE TABLE sold (unit INTEGER PRIMARY KEY)") }
            let paused = ServiceLease(name: "owner", holder: "a", address: "", ttlMs: 60_000)
            let standby = ServiceLease(name: "owner", holder: "b", address: "", ttlMs: 60_000)
            _ = try await database.write { try paused.acquire(in: $0) }
            try await database.write { try $0.run("UPDATE leases SET expires_at_ms = 0") }
            _ = try await database.write { try standby.acquire(in: $0) }
            await #expect(throws: ServiceLeaseError.lost(name: "owner", epoch: 1)) {
                try await database.writeBatched { connection in
                    try paused.checkFence(epoch: 1, in: connection)
                    try connection.run("INSERT INTO sold (unit) VALUES (7)")
                }
            }
            try await database.writeBatched { connection in
                try standby.checkFence(epoch: 2, in: connection)
                try connection.run("INSERT INTO sold (unit) VALUES (8)")
            }
            #expect(try await database.read { try $0.query("SELECT unit FROM sold").map { try $0.int(0) } } == [8])
        }
    }

    /// Many instances racing for a free lease: exactly one gets it.
    @Test(arguments: Engine.allCases)
    func racingContendersElectExactlyOne(engine: Engine) async throws {
        _ = try await withLeases(engine) { database in
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let lease = ServiceLease(name: "owner", holder: "i\(index)", address: "", ttlMs: 60_000)
                        if case .held = try await database.write({ try lease.acquire(in: $0) }) { return true }
                        return false
                    }
                }
                var winners = 0
                for try await won in group where won { winners += 1 }
                return winners
            }
            #expect(winners == 1)
        }
    }
}
