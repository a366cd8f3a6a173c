import BigRPC
import BigRPCNIO
import BigShopServerTestSupport
import BigShopStore
import BigShopTestSupport
import ChildProcess
import Foundation
import Testing

/// Two `bigshop serve --services flashsale` processes on one PostgreSQL database behind a
/// gateway process, on loopback: the owner is SIGKILLed 200 ms into a drop, three drops in
/// a row, and the standby takes over; then an owner is paused with SIGSTOP until the
/// standby has taken over and resumed. Never a 101st unit, never a unit twice, every OK has
/// its hold, and the resumed owner writes nothing with its stale epoch
/// (``FlashSaleOwnerFailover``, which `scripts/cluster-test postgres` also runs across hosts).
@Suite(
    .serialized, .enabled(if: TestPostgres.isAvailable, "needs BIGSHOP_TEST_POSTGRES_URL (scripts/with-postgres)"),
    .timeLimit(.minutes(5)))
struct FlashSaleOwnerFailoverTests {
    static let customersPerDrop = 1_500

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
        let tokens = try await FlashSaleOwnerFailover.customers(Self.customersPerDrop, admin: admin.auth)
        let transports = (0..<8).map { _ in BigRPCClientTransport(host: "127.0.0.1", port: core.port) }
        let database = try await Database(
            location: .postgres(shopEndpoint, schema: "flashsale"), configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        let failover = FlashSaleOwnerFailover(
            replicas: replicas, addresses: ports.map { "127.0.0.1:\($0)" },
            internalTransport: { BigRPCClientTransport(host: "127.0.0.1", port: ports[$0]) }, admin: admin.flashSale,
            clients: transports.map { RPCClient(transport: $0) }, database: database, label: "")
        _ = try await failover.run(product: product.id, tokens: tokens, check: CountedChecks())

        await database.close()
        for transport in transports { await transport.close() }
        #expect(await core.terminate() == 0)
        for replica in replicas { _ = await replica.terminate() }
    }

    static func createDatabase(_ name: String, on endpoint: PostgresEndpoint) async throws {
        let admin = try await Database(
            location: .postgres(endpoint, schema: "public"), configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        defer { Task { await admin.close() } }
        try await admin.writeWithoutTransaction { try $0.execute("CREATE DATABASE \(name)") }
    }
}
