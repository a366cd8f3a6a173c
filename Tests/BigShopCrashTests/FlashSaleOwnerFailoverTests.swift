import BigRPC
import BigRPCNIO
import BigShopAuthAPI
import BigShopFlashSaleAPI
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopStore
import BigShopTestSupport
import ChildProcess
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two `bigshop serve --services flashsale` processes on one PostgreSQL database behind a
/// gateway process: the owner is SIGKILLed 200 ms into a drop, three drops in a row, and
/// the standby takes over; then an owner is paused with SIGSTOP until the standby has taken
/// over and resumed. Never a 101st unit, never a unit twice, every OK has its hold, and the
/// resumed owner writes nothing with its stale epoch.
@Suite(
    .serialized, .enabled(if: TestPostgres.isAvailable, "needs BIGSHOP_TEST_POSTGRES_URL (scripts/with-postgres)"),
    .timeLimit(.minutes(5)))
struct FlashSaleOwnerFailoverTests {
    static let customersPerDrop = 1_500
    static let unitsPerDrop: Int32 = 100

    @Test func killedAndPausedOwnersNeverSellAnExtraUnit() async throws {
        let endpoint = try #require(TestPostgres.endpoint)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-owner-\(UUID().uuidString)").path
        for name in ["core", "a", "b"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A database of its own: the processes use the production schema names.
        let databaseName = "owner_\(UInt32.random(in: 0..<UInt32.max))"
        try await Self.createDatabase(databaseName, on: endpoint)
        var shopEndpoint = endpoint
        shopEndpoint.database = databaseName

        let corePort = try LoopbackPort.free()
        let ports = [try LoopbackPort.free(), try LoopbackPort.free()]
        let peers: [String: [String]] = [
            "auth": ["127.0.0.1:\(corePort)"], "catalog": ["127.0.0.1:\(corePort)"], "orders": ["127.0.0.1:\(corePort)"],
            "payments": ["127.0.0.1:\(corePort)"], "history": ["127.0.0.1:\(corePort)"], "orchestrator": ["127.0.0.1:\(corePort)"],
            "flashsale": ports.map { "127.0.0.1:\($0)" },
        ]
        try JSONSerialization.data(withJSONObject: peers).write(to: URL(fileURLWithPath: directory + "/peers.json"))
        let common = ["--store", "postgres", "--postgres-url", shopEndpoint.description, "--peers", directory + "/peers.json"]
        let core = try ServerProcess(
            dataDirectory: directory + "/core",
            extraArguments: common + [
                "--services", "gateway,auth,catalog,orders,payments,history,orchestrator", "--internal-port", String(corePort),
                "--max-connections-per-address", "100000",
            ])
        let replicas = try ports.enumerated().map { index, port in
            try ServerProcess(
                dataDirectory: directory + "/" + ["a", "b"][index],
                extraArguments: common + ["--services", "flashsale", "--internal-port", String(port)], healthPort: port)
        }
        try await replicas[0].start()
        try await replicas[1].start()
        try await core.start()
        defer {
            Task {
                await core.kill9()
                for replica in replicas { await replica.kill9() }
            }
        }

        let admin = try await ShopClients.admin(port: core.port)
        let product = try await admin.catalog.createProduct(.init(sku: "IPHONE-OWNER", name: "iPhone", priceCents: 599_900, stock: 1))
        let tokens = try await Self.customers(Self.customersPerDrop, admin: admin)
        let transports = (0..<8).map { _ in BigRPCClientTransport(host: "127.0.0.1", port: core.port) }
        let shared = transports.map { RPCClient(transport: $0) }
        let database = try await Database(
            location: .postgres(shopEndpoint, schema: "flashsale"), configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))

        // Three drops, the owner killed 200 ms into each.
        for round in 0..<3 {
            let campaign = try await admin.flashSale.scheduleCampaign(
                .init(productId: product.id, drops: 1, unitsPerDrop: Self.unitsPerDrop, holdMs: 600_000))
            let owner = try #require(try await Self.ownerIndex(in: database, ports: ports))
            let race = Task { try await Self.race(campaign: campaign.id, tokens: tokens, clients: shared) }
            try await Task.sleep(for: .milliseconds(200))
            let killedAt = ContinuousClock.now
            await replicas[owner].kill9()
            let outcome = try await race.value
            let takeover = try #require(outcome.firstAnswerAfter(killedAt), "no answer after the kill")
            print("flash-sale owner killed in drop \(round): takeover in \(takeover) (granted \(outcome.granted.count))")
            try await Self.checkInvariants(campaign: campaign.id, granted: outcome.granted, in: database)
            try await replicas[owner].start()
        }

        // An owner paused past its lease: the standby takes over; resumed, the old owner
        // commits nothing with its stale epoch.
        let campaign = try await admin.flashSale.scheduleCampaign(
            .init(productId: product.id, drops: 1, unitsPerDrop: Self.unitsPerDrop, holdMs: 600_000))
        let paused = try #require(try await Self.ownerIndex(in: database, ports: ports))
        let pausedEpoch = try await Self.epoch(in: database)
        let pid = try #require(replicas[paused].processIdentifier)
        #expect(kill(pid, SIGSTOP) == 0)
        let race = Task { try await Self.race(campaign: campaign.id, tokens: tokens, clients: shared) }
        let outcome = try await race.value
        #expect(try await Self.epoch(in: database) > pausedEpoch)
        let resumedAtMs = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(kill(pid, SIGCONT) == 0)
        // Straight at the resumed owner's internal port, before it notices it lost the
        // lease: it may claim from its old ring, but cannot record a hold.
        let stale = Bigshop_Flashsale_V1_FlashSaleService.Client(
            wrapping: RPCClient(transport: BigRPCClientTransport(host: "127.0.0.1", port: ports[paused])))
        for index in 0..<20 {
            let principal = ForwardedPrincipal.encode(Principal(userID: "late\(index)", role: .customer, email: "late\(index)@owner.test"))
            _ = try? await stale.reserve(.init(campaignId: campaign.id), metadata: [ForwardedPrincipal.metadataKey: principal])
        }
        try await Task.sleep(for: .seconds(2))
        let staleWrites = try await database.read { connection in
            try connection.queryOne(
                "SELECT count(*) FROM holds WHERE epoch = ? AND created_at_ms >= ?", .integer(pausedEpoch), .integer(resumedAtMs))!.int(0)
        }
        #expect(staleWrites == 0)
        try await Self.checkInvariants(campaign: campaign.id, granted: outcome.granted, in: database)

        await database.close()
        for transport in transports { await transport.close() }
        #expect(await core.terminate() == 0)
        for replica in replicas { _ = await replica.terminate() }
    }

    /// Exactly one drop's units in live holds, none twice, no customer twice, and every
    /// reservation a customer was told about among them.
    static func checkInvariants(campaign: String, granted: [String], in database: Database) async throws {
        let (live, units, customers, ids) = try await database.read { connection in
            let row = try connection.queryOne(
                """
                SELECT count(*), count(DISTINCT unit), count(DISTINCT user_id) FROM holds
                WHERE campaign_id = ? AND state IN ('held', 'sold')
                """, .text(campaign))!
            let ids = try connection.query("SELECT id FROM holds WHERE campaign_id = ?", .text(campaign)).map { try $0.string(0) }
            return (try row.int(0), try row.int(1), try row.int(2), Set(ids))
        }
        #expect(live == Int(unitsPerDrop), "\(live) live holds")
        #expect(units == live && customers == live)
        #expect(Set(granted).isSubset(of: ids), "a customer was told of a hold that is not stored")
    }

    final class OutcomeBox: Sendable {
        let value = Mutex(RaceOutcome())
    }

    struct RaceOutcome: Sendable {
        var granted: [String] = []
        /// When each answer other than UNAVAILABLE came.
        var answers: [ContinuousClock.Instant] = []

        func firstAnswerAfter(_ instant: ContinuousClock.Instant) -> Duration? {
            answers.filter { $0 > instant }.min().map { $0 - instant }
        }
    }

    /// Every customer presses Reserve until told OK, SOLD_OUT or LIMIT_REACHED (retrying
    /// UNAVAILABLE after its `retry-after-ms`), for at most 30 s.
    static func race(campaign: String, tokens: [String], clients: [RPCClient]) async throws -> RaceOutcome {
        let outcome = OutcomeBox()
        let deadline = ContinuousClock.now + .seconds(30)
        await withTaskGroup(of: Void.self) { group in
            for (index, token) in tokens.enumerated() {
                let flashSale = Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: clients[index % clients.count])
                group.addTask {
                    while ContinuousClock.now < deadline {
                        do {
                            let reservation = try await flashSale.reserve(
                                .init(campaignId: campaign), metadata: [Metadata.authorizationKey: "Bearer \(token)"],
                                options: CallOptions(timeout: .seconds(5)))
                            outcome.value.withLock {
                                $0.granted.append(reservation.id)
                                $0.answers.append(.now)
                            }
                            return
                        } catch let error as RPCError where error.metadata[Metadata.reasonKey] != nil {
                            outcome.value.withLock { $0.answers.append(.now) }
                            return
                        } catch let error as RPCError {
                            let wait = error.metadata[Metadata.retryAfterKey].flatMap { Int($0) } ?? 100
                            try? await Task.sleep(for: .milliseconds(Int.random(in: wait...(wait * 2))))
                        } catch {
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
        }
        return outcome.value.withLock { $0 }
    }

    /// Which replica holds the lease, by its address.
    static func ownerIndex(in database: Database, ports: [Int]) async throws -> Int? {
        for _ in 0..<100 {
            let address = try await database.read {
                try $0.queryOne("SELECT address FROM leases WHERE name = 'flashsale-owner' AND expires_at_ms > 0")?.string(0)
            }
            if let address, let index = ports.firstIndex(where: { address.hasSuffix(":\($0)") }) { return index }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    static func epoch(in database: Database) async throws -> Int64 {
        try await database.read { try $0.queryOne("SELECT epoch FROM leases WHERE name = 'flashsale-owner'")?.int64(0) ?? 0 }
    }

    /// `count` password-less customers, by the admin's CreateCustomers; their tokens.
    static func customers(_ count: Int, admin: ShopClients) async throws -> [String] {
        var tokens: [String] = []
        let run = UUID().uuidString.prefix(8).lowercased()
        for start in stride(from: 0, to: count, by: 200) {
            let batch = (start..<min(count, start + 200)).map {
                Bigshop_Auth_V1_NewCustomer(email: "c\($0)-\(run)@owner.test", name: "Cliente")
            }
            tokens += try await admin.auth.createCustomers(.init(customers: batch)).customers.map(\.token)
        }
        return tokens
    }

    static func createDatabase(_ name: String, on endpoint: PostgresEndpoint) async throws {
        let admin = try await Database(
            location: .postgres(endpoint, schema: "public"), configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        defer { Task { await admin.close() } }
        try await admin.writeWithoutTransaction { try $0.execute("CREATE DATABASE \(name)") }
    }
}
