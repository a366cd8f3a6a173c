import BigRPC
import BigShopStore
import ChildProcess
import Foundation
import Synchronization
import Testing

/// Issue 13's replicas on one PostgreSQL: the cluster of ``ClusterTests``
/// (network namespaces, mutual TLS, two gateways) with two `orders` and two
/// `catalog` processes on different hosts, every process `--store
/// postgres` on ONE database (a schema per service) served from a host of
/// its own. The gateways and the orchestrator balance over both replicas
/// through the peers file. 500 customers check out one product of 50 units
/// at once: exactly 50 orders, the stock invariant read from PostgreSQL,
/// and no client ever sees a serialization failure (40001), a deadlock
/// (40P01) or INTERNAL. Auth, payments, orchestrator and history stay
/// single processes, on the same database; the flash sale runs as two
/// (`flashsale-a`, `flashsale-b`: an owner and a standby) for the owner
/// failover that follows (``ownerFailover(_:database:)``): its owner killed
/// 200 ms into each of three drops, then paused past its lease.
///
/// `scripts/cluster-test` runs it after ``ClusterTests``
/// (`BIGSHOP_CLUSTER_POSTGRES_DIR` names the cluster's directory); where
/// PostgreSQL cannot be had it prints why and passes.
@Suite(.serialized)
struct ClusterPostgresTests {
    static let environment = ProcessInfo.processInfo.environment
    static let postgresDirectory = environment["BIGSHOP_CLUSTER_POSTGRES_DIR"] ?? ""
    static let enabled = environment["BIGSHOP_CLUSTER_TEST"] == "1" && !postgresDirectory.isEmpty
    static let customers = 500
    static let units: Int64 = 50
    static let adminPort = 9464

    static let layout: [(name: String, services: [String])] = [
        ("gateway-a", ["gateway"]), ("gateway-b", ["gateway"]), ("auth", ["auth"]), ("catalog-a", ["catalog"]), ("catalog-b", ["catalog"]),
        ("orders-a", ["orders"]), ("orders-b", ["orders"]), ("history", ["history"]), ("payments", ["payments"]),
        ("orchestrator", ["orchestrator"]), ("flashsale-a", ["flashsale"]), ("flashsale-b", ["flashsale"]),
    ]

    static let serveArguments = [
        "--password-iterations", "1000", "--password-queue", "4096", "--password-register-queue", "4096", "--rate-limit", "off",
        "--log-level", "warning", "--connection-setup-timeout", "60", "--max-stream-churn", "100000",
        "--checkout-cooldown", "0", "--max-unpaid-orders", "100",
    ]

    @Test(
        "replicas on PostgreSQL: 500 concurrent checkouts over two orders and two catalog replicas sell exactly 50 units; a killed or paused flash-sale owner sells no extra unit",
        .enabled(if: enabled, "needs network namespaces (root) and PostgreSQL: run scripts/cluster-test"),
        .timeLimit(.minutes(5)))
    func replicasOnPostgres() async throws {
        if let reason = await ClusterNetwork.unavailableReason() {
            print("cluster-test postgres scenario skipped: cannot create network namespaces (\(reason))")
            return
        }
        let started = ContinuousClock.now
        var postgres: ClusterPostgres?
        let topology: ClusterTopology
        do {
            topology = try await ClusterTopology.make(layout: Self.layout, serveArguments: Self.serveArguments, adminPort: Self.adminPort) {
                network, index in
                let server = try await ClusterPostgres.start(on: network, index: index, directory: Self.postgresDirectory)
                postgres = server
                return ["--store", "postgres", "--postgres-url", server.url]
            }
        } catch let unavailable as ClusterPostgres.Unavailable {
            print("cluster-test postgres scenario skipped: PostgreSQL unavailable: \(unavailable.reason)")
            return
        }
        guard let database = postgres else {
            await topology.tearDown(keepData: false)
            throw CrashTestError("the topology was made without its PostgreSQL server")
        }
        print("cluster/postgres: \(topology.hosts.count) hosts + PostgreSQL at \(database.url), files in \(topology.directory)")
        do {
            try await Self.scenario(topology, database: database, started: started)
            try await Self.ownerFailover(topology, database: database)
        } catch {
            for host in topology.hosts { print("--- \(host.name) (\(host.address)) log:\n\(host.logTail())") }
            print("--- postgres log:\n\(database.logTail())")
            await topology.tearDown(keepData: true)
            print("cluster/postgres: data kept in \(topology.directory) (scripts/cluster-test keeps the PostgreSQL log beside it, postgres.log)")
            throw error
        }
        await topology.tearDown(keepData: Self.environment["BIGSHOP_CLUSTER_KEEP"] == "1")
        await database.stop()
        print("cluster/postgres: done in \(ContinuousClock.now - started)")
    }

    /// What each call ended with, by method and code (and refusal reason).
    final class Outcomes: Sendable {
        let counts = Mutex<[String: Int]>([:])
        /// Calls that failed other than with a refusal of the shop: must stay empty.
        let failures = Mutex<[String]>([])
        /// The orders checkouts answered OK, and whose they are.
        let orders = Mutex<[String: ClusterShopperClients]>([:])

        func record(_ method: String, _ error: (any Error)?, refusals: Set<String> = []) {
            let rpc = error as? RPCError
            let code = error.map { _ in rpc?.code ?? .unknown } ?? .ok
            let reason = rpc?.metadata["reason"] ?? ""
            counts.withLock { $0["\(method) \(code)\(reason.isEmpty ? "" : " " + reason)", default: 0] += 1 }
            if let error, !refusals.contains(reason) || code != .failedPrecondition {
                failures.withLock { $0.append("\(method): \(error)") }
            }
        }

        var summary: String {
            counts.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        }
    }

    static func scenario(_ topology: ClusterTopology, database: ClusterPostgres, started: ContinuousClock.Instant) async throws {
        let clock = ContinuousClock()
        let check = CountedChecks()
        try await topology.startAll()
        print("cluster/postgres: \(topology.hosts.count) processes serving after \(clock.now - started)")

        let connections = ClusterGatewayConnections(
            gateways: topology.gateways.map { ($0.address, ClusterTopology.publicPort) }, connectionsPerGateway: 4)
        let anonymous = connections.clients(token: nil)
        let adminSession = try await anonymous.auth.login(.init(email: ClusterTopology.adminEmail, password: ClusterTopology.adminPassword))
        let admin = connections.clients(token: adminSession.token)
        let product = try await admin.catalog.createProduct(.init(sku: "PG-SCARCE", name: "Escasso", priceCents: 4_990, stock: units)).id

        let ledger = ClusterLedger()
        let shoppers = ClusterShoppers(connections: connections, gate: CallGate(permits: 64), ledger: ledger, admin: admin)
        let run = String(UUID().uuidString.prefix(6).lowercased())
        let signUp = clock.now
        let signedIn = await withTaskGroup(of: ClusterShopperClients?.self) { group in
            for index in 0..<customers {
                group.addTask { await shoppers.signIn(index, run: run) }
            }
            var clients: [ClusterShopperClients] = []
            for await client in group { if let client { clients.append(client) } }
            return clients
        }
        print("cluster/postgres: \(signedIn.count) of \(customers) customers signed up and in, in \(clock.now - signUp)")
        try #require(signedIn.count == customers, "customers could not sign in: \(ledger.summary)")

        // Every customer puts one unit in its cart (64 calls at a time)...
        let outcomes = Outcomes()
        let options = CallOptions(timeout: .seconds(60))
        await withTaskGroup(of: Void.self) { group in
            for customer in signedIn {
                group.addTask {
                    await shoppers.gate.acquire()
                    do {
                        _ = try await customer.orders.setCartItem(.init(productId: product, quantity: 1), options: options)
                        outcomes.record("SetCartItem", nil)
                    } catch {
                        outcomes.record("SetCartItem", error)
                    }
                    await shoppers.gate.release()
                }
            }
        }
        // ...then all 500 check out at once, each with an idempotency key.
        let checkoutStart = clock.now + .milliseconds(500)
        await withTaskGroup(of: Void.self) { group in
            for customer in signedIn {
                group.addTask {
                    try? await clock.sleep(until: checkoutStart)
                    do {
                        let order = try await customer.orders.checkout(
                            .init(), metadata: [Metadata.idempotencyKey: UUID().uuidString], options: options)
                        outcomes.orders.withLock { $0[order.id] = customer }
                        outcomes.record("Checkout", nil)
                    } catch {
                        outcomes.record("Checkout", error, refusals: ["OUT_OF_STOCK"])
                    }
                }
            }
        }
        let checkoutTime = clock.now - checkoutStart
        let created = outcomes.orders.withLock { $0 }
        print("cluster/postgres: 500 concurrent checkouts answered in \(checkoutTime): \(outcomes.summary)")
        check(created.count == Int(units), "\(created.count) checkouts answered OK, expected \(units)")

        // Both replicas of each did the work: the gateways and the
        // orchestrator balanced over the peers file's two addresses.
        for (name, method) in [("orders-a", "Checkout"), ("orders-b", "Checkout"), ("catalog-a", "ReserveStock"), ("catalog-b", "ReserveStock")] {
            let served = try await Self.handled(topology.host(name), method: method)
            print("cluster/postgres: \(name) handled \(Int(served)) \(method) calls")
            check(served > 0, "\(name) handled no \(method): the replicas were not both used")
        }

        // Right after the race, from PostgreSQL: 50 orders awaiting
        // payment, 50 stock reservations held, no stock left.
        let afterRace = try await Self.counts(database, product: product)
        print("cluster/postgres: after the race: \(afterRace)")
        check(
            afterRace.stock == 0 && afterRace.pending == units && afterRace.heldReservations == Int(units) && afterRace.orders == Int(units),
            "after the race: \(afterRace)")
        let stored = Set(try await database.query("orders", "SELECT id FROM orders").map { try $0.string(0) })
        check(stored == Set(created.keys), "the orders in PostgreSQL are not those the checkouts answered")

        // Then some pay and some cancel, through both replicas again.
        let sorted = created.sorted { $0.key < $1.key }
        await withTaskGroup(of: Void.self) { group in
            for (index, (order, customer)) in sorted.enumerated() where index < 30 {
                group.addTask {
                    do {
                        if index < 20 {
                            let payment = try await customer.payments.pay(
                                .init(orderId: order, method: .card(ClusterShoppers.approvedCard)),
                                metadata: [Metadata.idempotencyKey: "pay-\(order)"], options: options)
                            outcomes.record(payment.status == .approved ? "Pay" : "Pay not approved", nil)
                        } else {
                            _ = try await customer.orders.cancelOrder(.init(id: order), options: options)
                            outcomes.record("CancelOrder", nil)
                        }
                    } catch {
                        outcomes.record(index < 20 ? "Pay" : "CancelOrder", error)
                    }
                }
            }
        }
        await connections.close()
        // Every saga settles (a payment's confirmation runs on after its
        // answer) before the processes stop.
        let settleBy = clock.now + .seconds(30)
        var moving: [String: Int] = [:]
        repeat {
            moving = [:]
            for row in try await database.query(
                "orchestrator",
                "SELECT state, COUNT(*) FROM sagas WHERE state IN ('reserving', 'creating', 'paying', 'confirming', 'cancelling') GROUP BY state")
            {
                moving[try row.string(0)] = try row.int(1)
            }
            if moving.isEmpty { break }
            try await Task.sleep(for: .milliseconds(250))
        } while clock.now < settleBy
        check(moving.isEmpty, "sagas still moving after 30 s: \(moving)")
        let failedStops = await topology.stopAll()
        check(failedStops.isEmpty, "processes did not stop cleanly: \(failedStops)")

        // Read from PostgreSQL once every process stopped: stock + held + sold = initial.
        let final = try await Self.counts(database, product: product)
        print("cluster/postgres: at the end: \(final); answers: \(outcomes.summary)")
        check(final.stock + final.pending + final.sold == units, "stock \(final.stock) + held \(final.pending) + sold \(final.sold) != \(units)")
        check(final.sold == 20 && final.pending == 20 && final.stock == 10, "\(final)")
        check(final.heldReservations == 20 && final.orders == Int(units), "\(final)")

        // The store retried its serialization failures; none reached a client.
        let failures = outcomes.failures.withLock { $0 }
        check(failures.isEmpty, "\(failures.count) calls failed: \(failures.prefix(10))")
        let leaked = failures.filter { $0.contains("40001") || $0.contains("40P01") || $0.contains("serializ") || $0.contains("INTERNAL") }
        check(leaked.isEmpty, "a serialization failure or INTERNAL reached a client: \(leaked.prefix(5))")
        let log = (try? String(contentsOfFile: database.directory + "/log", encoding: .utf8)) ?? ""
        let conflicts = log.components(separatedBy: "could not serialize access").count - 1
        let deadlocks = log.components(separatedBy: "deadlock detected").count - 1
        print("cluster/postgres: PostgreSQL logged \(conflicts) serialization failures and \(deadlocks) deadlocks, retried inside the store")
        let failed = check.failed.load(ordering: .relaxed)
        if failed > 0 { throw CrashTestError("\(failed) checks failed (above); the logs are kept") }
    }

    /// Stock, orders and reservations of `product`, read in one snapshot
    /// across the `catalog` and `orders` schemas.
    struct Counts: CustomStringConvertible {
        var stock: Int64
        var pending: Int64
        var sold: Int64
        var orders: Int
        var heldReservations: Int
        var description: String {
            "stock \(stock), \(orders) orders (\(pending) units awaiting payment, \(sold) sold), \(heldReservations) reservations held"
        }
    }

    static func counts(_ database: ClusterPostgres, product: String) async throws -> Counts {
        let rows = try await database.query(
            "orders",
            """
            SELECT
              (SELECT stock FROM catalog.products WHERE id = '\(product)'),
              (SELECT CAST(COALESCE(SUM(i.quantity), 0) AS BIGINT) FROM orders.orders o JOIN orders.order_items i ON i.order_id = o.id
                 WHERE i.product_id = '\(product)' AND o.status = 'PENDING_PAYMENT'),
              (SELECT CAST(COALESCE(SUM(i.quantity), 0) AS BIGINT) FROM orders.orders o JOIN orders.order_items i ON i.order_id = o.id
                 WHERE i.product_id = '\(product)' AND o.status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED')),
              (SELECT COUNT(*) FROM orders.orders),
              (SELECT COUNT(*) FROM catalog.reservations WHERE state = 'HELD')
            """)
        let row = try #require(rows.first)
        return Counts(stock: try row.int64(0), pending: try row.int64(1), sold: try row.int64(2), orders: try row.int(3), heldReservations: try row.int(4))
    }

    /// Calls of `method` a host's process finished, from its `/metrics`.
    static func handled(_ host: ClusterHost, method: String) async throws -> Double {
        let curl = try ChildProcess(
            executable: "/usr/bin/curl", arguments: ["-sS", "--max-time", "5", "http://\(host.address):\(adminPort)/metrics"],
            standardOutput: .capture, standardError: .capture)
        let termination = await curl.wait(killingAfter: .seconds(10))
        guard termination.code == 0 else {
            throw CrashTestError("GET /metrics of \(host.name): \(String(decoding: await curl.standardError(), as: UTF8.self))")
        }
        let text = PrometheusText(String(decoding: await curl.standardOutput(), as: UTF8.self))
        return text.value("rpc_server_handled_total", ["method": method]) ?? 0
    }
}
