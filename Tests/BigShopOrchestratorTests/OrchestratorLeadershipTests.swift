import BigRPC
import BigShopOrchestrator
import BigShopServiceKit
import BigShopStore
import BigShopTestSupport
import Foundation
import Testing

/// Orchestrator replicas on one PostgreSQL database: one leads (holds `orchestrator-leader`)
/// and alone recovers sagas, and only those no replica has moved for a while.
@Suite(
    "Orchestrator leadership", .enabled(if: TestPostgres.isAvailable, "needs BIGSHOP_TEST_POSTGRES_URL (scripts/with-postgres)"),
    .timeLimit(.minutes(2)))
struct OrchestratorLeadershipTests {
    @Test func oneReplicaLeadsAndRecoversOnlyStaleSagas() async throws {
        let endpoint = try #require(TestPostgres.endpoint)
        let storage = ShopStorage.postgres(
            PostgresStorage(
                endpoint: endpoint, schemaPrefix: TestPostgres.uniqueSchema("ol") + "_", writerConnections: 1, readerConnections: 1))
        // Nothing answers: a recovered saga's steps fail fast and are left for later.
        let nobody = RPCClient(transport: InProcessTransport(server: RPCServer(services: [])))
        // A lease far longer than the test: a starved renewal (the suites run in parallel)
        // must not hand the lead over; the hand-over below is the graceful one.
        let settings = OrchestratorSettings(
            stepRetry: StepRetry(firstDelay: .milliseconds(1), maxDelay: .milliseconds(2), forwardAttempts: 1),
            leaderLeaseTTL: .seconds(120))
        func open() async throws -> OrchestratorModule {
            try await OrchestratorModule.open(
                storage: storage, clock: SystemClock(), settings: settings, orderLedger: .init(wrapping: nobody),
                inventory: .init(wrapping: nobody), payments: .init(wrapping: nobody), holds: .init(wrapping: nobody))
        }
        let first = try await open()
        // The leader renews its lease from here on, however slow the second start.
        let firstRun = Task { await first.run() }
        let second = try await open()
        #expect(first.isLeader)
        #expect(!second.isLeader)

        // A saga moved just now (maybe mid-flow on another replica) and one untouched
        // for ten minutes (its replica died).
        let database = try await Database(
            location: storage.location(forService: "orchestrator"), configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        for (orderID, updatedAtMs) in [("ord_young", nowMs), ("ord_stale", nowMs - 600_000)] {
            try await database.write { connection in
                try connection.run(
                    """
                    INSERT INTO sagas (order_id, kind, user_id, state, lines, amount_cents, created_at_ms, updated_at_ms)
                    VALUES (?, 'cart', 'ana', 'reserving', ?, 100, ?, ?)
                    """, .text(orderID), .blob([]), .integer(updatedAtMs), .integer(updatedAtMs))
            }
        }
        #expect(try await second.recover() == 0)  // a follower leaves recovery to the leader
        #expect(try await first.recover() == 1)  // the leader takes only the stale one
        await database.close()

        // The leader stops: its lease lapses at once, and the other replica leads.
        let secondRun = Task { await second.run() }
        firstRun.cancel()
        await firstRun.value
        #expect(await eventually(timeout: .seconds(10)) { second.isLeader })
        secondRun.cancel()
        await secondRun.value
    }
}
