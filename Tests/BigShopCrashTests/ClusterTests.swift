import BigRPC
import BigRPCNIO
import BigRPCTLS
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopServiceKit
import Foundation
import Testing

/// The "done when" of running the services across hosts: a real topology on
/// one machine (``ClusterTopology``: network namespaces joined by veth, two
/// gateways, every service in its own process, mutual TLS), 2,000 shoppers
/// (``ClusterShoppers``), a gateway and then the orders and the catalog
/// processes SIGKILLed mid-load and restarted; afterwards nothing
/// acknowledged is lost and every invariant of docs/CHECKOUT.md and
/// docs/FLASHSALE.md holds. It also checks that a forged principal sent to a
/// gateway is ignored and that the internal ports refuse strangers.
///
/// It needs root (network namespaces): `scripts/cluster-test` runs it
/// (`BIGSHOP_CLUSTER_TEST=1`); a plain `swift test` skips it.
@Suite(.serialized)
struct ClusterTests {
    static let environment = ProcessInfo.processInfo.environment
    static let enabled = environment["BIGSHOP_CLUSTER_TEST"] == "1"
    static let shopperCount = environment["BIGSHOP_CLUSTER_SHOPPERS"].flatMap { Int($0) } ?? 2_000
    static let initialStock: Int64 = 300
    /// Short: under this load a call waits seconds for its turn, so many
    /// orders expire while their payment is on its way, racing it.
    static let paymentWindowSeconds = 10
    static let holdMs: Int64 = 6_000
    static let dropIntervalMs: Int64 = 15_000

    static let serveArguments = [
        "--password-iterations", "1000", "--password-queue", "4096", "--password-register-queue", "4096", "--rate-limit", "off",
        "--log-level", "warning", "--connection-setup-timeout", "60", "--max-stream-churn", "100000",
        "--payment-window", String(paymentWindowSeconds), "--checkout-cooldown", "0", "--max-unpaid-orders", "100",
    ]

    @Test(
        "services across hosts: kills of a gateway, orders and catalog under 2,000 shoppers lose nothing",
        .enabled(if: enabled, "needs network namespaces (root): run scripts/cluster-test"),
        .timeLimit(.minutes(8)))
    func servicesAcrossHosts() async throws {
        if let reason = await ClusterNetwork.unavailableReason() {
            print("cluster test skipped: cannot create network namespaces (\(reason))")
            return
        }
        let started = ContinuousClock.now
        let topology = try await ClusterTopology.make(serveArguments: Self.serveArguments)
        print("cluster: \(topology.hosts.count) hosts on \(topology.network.subnet).0/24 (prefix \(topology.network.prefix)), files in \(topology.directory)")
        do {
            try await Self.scenario(topology, started: started)
        } catch {
            for host in topology.hosts { print("--- \(host.name) (\(host.address)) log:\n\(host.logTail())") }
            await topology.tearDown(keepData: true)
            print("cluster: data kept in \(topology.directory)")
            throw error
        }
        await topology.tearDown(keepData: Self.environment["BIGSHOP_CLUSTER_KEEP"] == "1")
        print("cluster: done in \(ContinuousClock.now - started)")
    }

    static func scenario(_ topology: ClusterTopology, started: ContinuousClock.Instant) async throws {
        let clock = ContinuousClock()
        try await topology.startAll()
        print("cluster: \(topology.hosts.count) processes serving after \(clock.now - started)")

        let connections = ClusterGatewayConnections(
            gateways: topology.gateways.map { ($0.address, ClusterTopology.publicPort) }, connectionsPerGateway: 2)
        let anonymous = connections.clients(token: nil)
        let adminSession = try await anonymous.auth.login(.init(email: ClusterTopology.adminEmail, password: ClusterTopology.adminPassword))
        let admin = connections.clients(token: adminSession.token)
        var created: [String] = []
        for index in 0..<4 {
            let product = try await admin.catalog.createProduct(
                .init(sku: "CLUSTER-\(index)", name: "Produto \(index)", priceCents: 10_000 + Int64(index), stock: initialStock))
            created.append(product.id)
        }
        let products = created
        let iphone = try await admin.catalog.createProduct(.init(sku: "IPHONE-CLUSTER", name: "iPhone", priceCents: 599_900, stock: 1))

        let ledger = ClusterLedger()
        let shoppers = ClusterShoppers(connections: connections, gate: CallGate(permits: 64), ledger: ledger, admin: admin)
        let run = UUID().uuidString.prefix(6).lowercased()
        let signUp = clock.now
        let signedIn = await withTaskGroup(of: ClusterShopperClients?.self) { group in
            for index in 0..<shopperCount {
                group.addTask { await shoppers.signIn(index, run: String(run)) }
            }
            var clients: [ClusterShopperClients] = []
            for await client in group { if let client { clients.append(client) } }
            return clients
        }
        print("cluster: \(signedIn.count) of \(shopperCount) shoppers signed up and in, in \(clock.now - signUp)")
        #expect(signedIn.count == shopperCount, "shoppers could not sign in")

        // The admin schedules a campaign whose first drop opens in seconds.
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        let campaign = try await admin.flashSale.scheduleCampaign(
            .init(
                productId: iphone.id, startsAtMs: nowMs + 3_000, drops: 2, unitsPerDrop: 100, priceCents: 100, dropIntervalMs: dropIntervalMs,
                holdMs: holdMs, perCustomerLimit: 1))
        let firstDrop = clock.now + .milliseconds(campaign.startsAtMs - nowMs)
        let stopAt = firstDrop + .seconds(32)
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for (index, shopper) in signedIn.enumerated() {
                    group.addTask { await shoppers.shop(shopper, index: index, products: products, campaign: campaign, stopAt: stopAt) }
                }
            }
        }

        func progress() -> String {
            "\(ledger.acknowledgedOrders.withLock { $0.count }) orders acknowledged, \(ledger.reservations.withLock { $0.count }) holds"
        }
        // Mid-load: a gateway during the first drop's race, then orders,
        // then the catalog, each SIGKILLed and restarted on the same address
        // and data.
        for (name, at, down) in [("gateway-a", 1.0, 1.0), ("orders", 12.0, 0.5), ("catalog", 22.0, 0.5)] {
            try await clock.sleep(until: firstDrop + .seconds(at))
            let host = topology.host(name)
            print("cluster: killing \(name) at +\(at) s of the drops (\(progress()))")
            await host.kill9()
            try await Task.sleep(for: .seconds(down))
            let restart = clock.now
            try await host.start()
            print("cluster: \(name) serving again after \(down) s down + \(clock.now - restart) to start")
        }
        await load.value
        print("cluster: load over after \(clock.now - firstDrop) (\(progress()))")
        print("cluster: answers: \(ledger.summary)")
        print("cluster: unknown outcomes (allowed): \(ledger.unknownOutcomes.withLock { $0 })")

        try await checkForgedPrincipal(topology, connections: connections)
        try await checkInternalPortsRefuseStrangers(topology)

        // Every unpaid order's window and every hold closes; the sagas settle.
        try await Task.sleep(for: .seconds(paymentWindowSeconds + 4))
        let drop = try await anonymous.flashSale.getCurrentDrop(.init(campaignId: campaign.id))
        await connections.close()
        let failedStops = await topology.stopAll()
        #expect(failedStops.isEmpty, "processes did not stop cleanly: \(failedStops)")

        try await checkInvariants(topology.databases, ledger: ledger, products: products, drop: drop)
    }

    /// A public caller's `x-bigshop-principal` never reaches a service: the
    /// gateways drop it and authenticate the call as if it were absent.
    static func checkForgedPrincipal(_ topology: ClusterTopology, connections: ClusterGatewayConnections) async throws {
        let forged = ForwardedPrincipal.encode(Principal(userID: "usr_nobody", role: .admin, email: "evil@example.com"))
        let metadata: Metadata = [ForwardedPrincipal.metadataKey: forged]
        let product = Bigshop_Catalog_V1_CreateProductRequest(sku: "FORGED-1", name: "Forged", priceCents: 1, stock: 1)
        for gateway in topology.gateways {
            let transport = BigRPCClientTransport(host: gateway.address, port: ClusterTopology.publicPort)
            let anonymous = ClusterShopperClients(rpc: RPCClient(transport: transport))
            await expectCode(.unauthenticated) { _ = try await anonymous.auth.whoAmI(.init(), metadata: metadata) }
            await expectCode(.unauthenticated) { _ = try await anonymous.catalog.createProduct(product, metadata: metadata) }
            await transport.close()
        }
        let email = "forger-\(UUID().uuidString.prefix(6))@cluster.test"
        let anonymous = connections.clients(token: nil)
        let user = try await anonymous.auth.register(.init(email: email, password: "customer-password", name: "Forger"))
        let session = try await anonymous.auth.login(.init(email: email, password: "customer-password"))
        let customer = connections.clients(token: session.token)
        #expect(try await customer.auth.whoAmI(.init(), metadata: metadata).id == user.id)
        await expectCode(.permissionDenied) { _ = try await customer.catalog.createProduct(product, metadata: metadata) }
        print("cluster: a forged x-bigshop-principal was ignored by both gateways")
    }

    /// The catalog's internal port, from the root namespace: plain TCP and a
    /// certificate of another CA never get past the handshake; a certificate
    /// of the shop's CA gets only what the internal access policy gives its
    /// service, and only a gateway may forward a principal.
    static func checkInternalPortsRefuseStrangers(_ topology: ClusterTopology) async throws {
        let certificates = topology.certificates
        let stranger = try await certificates.makeServiceCertificate("stranger", services: ["gateway"], wrongCA: true)
        let catalog = topology.host("catalog")
        func inventory(_ identity: (certificate: String, key: String)?) throws -> (Bigshop_Catalog_V1_InventoryService.Client, BigRPCClientTransport) {
            var configuration = BigRPCClientTransport.Configuration()
            configuration.connectTimeout = .seconds(2)
            if let identity {
                configuration.security = try TLSClientSecurity(
                    trustRootsFile: certificates.caFile, certificateChainFile: identity.certificate, privateKeyFile: identity.key,
                    requiredServerURI: "spiffe://bigshop/catalog")
            }
            let transport = BigRPCClientTransport(host: catalog.address, port: ClusterTopology.internalPort, configuration: configuration)
            return (.init(wrapping: RPCClient(transport: transport)), transport)
        }
        let lookup = Bigshop_Catalog_V1_LookupProductsRequest(ids: ["prd_x"])
        let options = CallOptions(timeout: .seconds(10))
        func identity(_ name: String) -> (certificate: String, key: String) {
            (certificates.path("\(name).pem"), certificates.path("\(name).key"))
        }
        for (what, identity) in [("plain TCP", nil), ("a certificate of another CA", stranger)] as [(String, (certificate: String, key: String)?)] {
            let (client, transport) = try inventory(identity)
            await expectCode(.unavailable, what) { _ = try await client.lookupProducts(lookup, options: options) }
            await transport.close()
        }
        // The orders service may look up products, history may not, and
        // orders may not forward a principal.
        let (asOrders, ordersTransport) = try inventory(identity("orders"))
        _ = try await asOrders.lookupProducts(lookup, options: options)
        let forged = ForwardedPrincipal.encode(Principal(userID: "usr_1", role: .admin, email: ""))
        await expectCode(.permissionDenied, "orders forwarding a principal") {
            _ = try await asOrders.lookupProducts(lookup, metadata: [ForwardedPrincipal.metadataKey: forged], options: options)
        }
        await ordersTransport.close()
        let (asHistory, historyTransport) = try inventory(identity("history"))
        await expectCode(.permissionDenied, "history calling InventoryService") { _ = try await asHistory.lookupProducts(lookup, options: options) }
        await historyTransport.close()
        print("cluster: the catalog's internal port refused plain TCP, another CA's certificate and calls outside the policy")
    }

    /// What the databases say once every process stopped.
    static func checkInvariants(
        _ databases: ShopDatabases, ledger: ClusterLedger, products: [String], drop: Bigshop_Flashsale_V1_Drop
    ) async throws {
        let statuses = try await databases.orderStatuses()
        let units = try await databases.orderedUnits()
        let stock = try await databases.stock()
        let approved = try await databases.approvedPayments()
        let reservations = try await databases.reservations()
        let sagas = try await databases.query("orchestrator", "SELECT state, COUNT(*) FROM sagas GROUP BY state")
        let holds = try await databases.query("flashsale", "SELECT order_id, unit, state, user_id, drop_index FROM holds")
        let paid = ["CONFIRMED", "SHIPPED", "DELIVERED"]
        var sagaStates: [String: Int] = [:]
        for row in sagas { sagaStates[try row.string(0)] = try row.int(1) }
        print("cluster: \(statuses.count) orders, sagas \(sagaStates), drop \(drop.index): released \(drop.unitsReleased), remaining \(drop.remaining)")

        // Nothing acknowledged is lost.
        let acknowledged = ledger.acknowledgedOrders.withLock { $0 }
        let lost = acknowledged.filter { statuses[$0] == nil }
        #expect(lost.isEmpty, "\(lost.count) acknowledged orders were lost: \(lost.prefix(5))")
        for order in ledger.approvedOrders.withLock({ $0 }) {
            #expect(paid.contains(statuses[order] ?? ""), "order \(order) was paid but is \(statuses[order] ?? "missing")")
        }
        // Every saga settled; stock + held + sold = initial.
        #expect(Set(sagaStates.keys).isSubset(of: ["confirmed", "cancelled", "failed"]), "unsettled sagas: \(sagaStates)")
        for product in products {
            let sold = paid.reduce(Int64(0)) { $0 + (units[$1]?[product] ?? 0) }
            let held = units["PENDING_PAYMENT"]?[product] ?? 0
            #expect(stock[product]! + held + sold == initialStock, "\(product): stock \(stock[product]!) + held \(held) + sold \(sold)")
        }
        for (order, status) in statuses where status == "CANCELLED" {
            #expect(reservations[order] != "HELD", "cancelled order \(order) still holds stock")
        }
        // Exactly one approved payment per paid order, none for the others.
        for (order, count) in approved {
            #expect(count == 1, "order \(order) has \(count) approved payments")
        }
        for (order, status) in statuses where paid.contains(status) {
            #expect(approved[order] == 1, "order \(order) is \(status) with \(approved[order] ?? 0) approved payments")
        }
        for (order, _) in approved {
            #expect(paid.contains(statuses[order] ?? ""), "order \(order) has an approved payment but is \(statuses[order] ?? "missing")")
        }
        // The flash sale: a unit in one live hold at most, one per customer
        // and drop, sold + held + remaining = released, and holds match orders.
        var live: [String: (unit: Int64, user: String, drop: Int64, state: String)] = [:]
        var allHolds: [String: String] = [:]
        for row in holds {
            allHolds[try row.string(0)] = try row.string(2)
            if try row.string(2) != "released" {
                live[try row.string(0)] = (try row.int64(1), try row.string(3), try row.int64(4), try row.string(2))
            }
        }
        #expect(Set(live.values.map(\.unit)).count == live.count, "a unit is in two live holds")
        #expect(Set(live.values.map { "\($0.user)/\($0.drop)" }).count == live.count, "a customer holds two units of one drop")
        #expect(live.count + Int(drop.remaining) == Int(drop.unitsReleased), "sold + held (\(live.count)) + remaining (\(drop.remaining)) != released")
        #expect(drop.unitsReleased == 200)
        for (order, hold) in live {
            let expected = hold.state == "sold" ? paid : ["PENDING_PAYMENT"]
            #expect(expected.contains(statuses[order] ?? ""), "hold \(order) is \(hold.state) but its order is \(statuses[order] ?? "missing")")
        }
        for reservation in ledger.reservations.withLock({ $0 }) {
            #expect(allHolds[reservation.orderId] != nil, "the hold of order \(reservation.orderId) answered OK was lost")
        }
        #expect(ledger.reservations.withLock { $0.count } >= 100, "the drops' race was not exercised")

        // No idempotent call failed, retries included.
        let failures = ledger.idempotentFailures.withLock { $0 }
        #expect(failures.isEmpty, "\(failures.count) idempotent calls failed: \(failures.prefix(10))")
        let confirmed = statuses.values.filter { paid.contains($0) }.count
        let cancelled = statuses.values.filter { $0 == "CANCELLED" }.count
        print("cluster: \(confirmed) orders confirmed, \(cancelled) cancelled, \(live.filter { $0.value.state == "sold" }.count) flash units sold")
        #expect(confirmed > 0 && cancelled > 0, "the load exercised both outcomes")
    }

    /// Expects `body` to fail with `code`.
    static func expectCode(
        _ code: StatusCode, _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            Issue.record("\(what): expected \(code), but the call succeeded", sourceLocation: sourceLocation)
        } catch let error as RPCError {
            #expect(error.code == code, "\(what): \(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(what): expected \(code), got \(error)", sourceLocation: sourceLocation)
        }
    }
}
