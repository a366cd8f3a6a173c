import BigRPC
import BigRPCNIO
import BigRPCTLS
import BigShopStore
import Foundation
import Testing

extension ClusterPostgresTests {
    /// Customers racing each drop of the owner failover: 5,000, or
    /// `BIGSHOP_CLUSTER_OWNER_SHOPPERS`.
    static let ownerFailoverShoppers = environment["BIGSHOP_CLUSTER_OWNER_SHOPPERS"].flatMap { Int($0) } ?? 5_000

    /// Issue 13's flash-sale owner failover across hosts: the two flash-sale
    /// processes (`flashsale-a`, `flashsale-b`, on hosts of their own and on
    /// the scenario's PostgreSQL) as ``FlashSaleOwnerFailover`` runs them on
    /// loopback, the customers reaching them through both gateways. The
    /// owner is SIGKILLed (its host's process) 200 ms into each of three
    /// drops and started again as the standby, then paused with SIGSTOP until
    /// the standby took over and resumed; the same checks, and the takeover
    /// time of each killed drop printed. Runs after ``scenario(_:database:started:)``,
    /// which stopped every process: it starts them all again.
    ///
    /// A customer waits up to 20 s for the answer to a press of Reserve, not the
    /// 5 s of the loopback test: 5,000 presses at once through two gateways
    /// take longer than 5 s to answer on a small machine, and pressing again
    /// every 5 s only piles retries on the queue (then most customers are
    /// still unanswered when the race's 30 s end).
    static func ownerFailover(_ topology: ClusterTopology, database: ClusterPostgres) async throws {
        let clock = ContinuousClock()
        let check = CountedChecks()
        let restart = clock.now
        try await topology.startAll()
        print("cluster/postgres: owner failover: \(topology.hosts.count) processes serving again after \(clock.now - restart)")

        // Enough connections that 5,000 calls at once stay under a
        // connection's 256 concurrent streams; beyond a gateway's 2,048 open
        // streams from one address (every customer here has the root
        // namespace's) a press is refused RESOURCE_EXHAUSTED, and pressed again.
        let connectionsPerGateway = max(4, ownerFailoverShoppers / 400)
        let connections = ClusterGatewayConnections(
            gateways: topology.gateways.map { ($0.address, ClusterTopology.publicPort) }, connectionsPerGateway: connectionsPerGateway)
        let store = try await Database(
            location: .postgres(database.endpoint, schema: "flashsale"), configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        do {
            let anonymous = connections.clients(token: nil)
            let session = try await anonymous.auth.login(.init(email: ClusterTopology.adminEmail, password: ClusterTopology.adminPassword))
            let admin = connections.clients(token: session.token)
            let product = try await admin.catalog.createProduct(.init(sku: "PG-OWNER", name: "iPhone", priceCents: 599_900, stock: 1)).id
            let signUp = clock.now
            let tokens = try await FlashSaleOwnerFailover.customers(ownerFailoverShoppers, admin: admin.auth)
            print("cluster/postgres: owner failover: \(tokens.count) customers made in \(clock.now - signUp)")

            let replicas = [topology.host("flashsale-a"), topology.host("flashsale-b")]
            // A gateway's identity: the only caller besides a replica that may
            // forward a principal to the flash sale's internal port.
            let caller = try await topology.certificates.makeServiceCertificate("late-gateway", services: ["gateway"])
            let security = try TLSClientSecurity(
                trustRootsFile: topology.certificates.caFile, certificateChainFile: caller.certificate, privateKeyFile: caller.key,
                requiredServerURI: "spiffe://bigshop/flashsale")
            let failover = FlashSaleOwnerFailover(
                replicas: replicas, addresses: replicas.map { "\($0.address):\(ClusterTopology.internalPort)" },
                internalTransport: { index in
                    var configuration = BigRPCClientTransport.Configuration()
                    configuration.security = security
                    return BigRPCClientTransport(host: replicas[index].address, port: ClusterTopology.internalPort, configuration: configuration)
                },
                admin: admin.flashSale, clients: [RPCClient(transport: connections.balancer)], database: store, label: "cluster/postgres: ",
                callTimeout: .seconds(20))
            let drops = clock.now
            let takeovers = try await failover.run(product: product, tokens: tokens, check: check)
            print(
                "cluster/postgres: owner failover: takeovers \(takeovers.map { "\($0)" }.joined(separator: ", ")); "
                    + "4 drops of \(tokens.count) customers in \(clock.now - drops)")
        } catch {
            await store.close()
            await connections.close()
            throw error
        }
        await store.close()
        await connections.close()
        let failedStops = await topology.stopAll()
        check(failedStops.isEmpty, "processes did not stop cleanly: \(failedStops)")
        let failed = check.failed.load(ordering: .relaxed)
        if failed > 0 { throw CrashTestError("\(failed) checks of the owner failover failed (above); the logs are kept") }
    }
}
