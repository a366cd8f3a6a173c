import BigRPC
import BigRPCNIO
import BigRPCProtos
import BigShopFlashSaleAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServerTestSupport
import ChildProcess
import Foundation
import Synchronization
import Testing

/// The admin listener of a real `bigshop serve --admin-port`: `/metrics`
/// after a scripted purchase, an unpaid order that expires, and a flash
/// sale of 100 units sold out to 150 customers; then `/readyz` at a
/// graceful shutdown.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct MetricsScrapeTests {
    static let flashSale = "bigshop.flashsale.v1.FlashSaleService"

    @Test func scrapeAfterAPurchaseAndASoldOutFlashSale() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-metrics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let adminPort = try LoopbackPort.free()
        let server = try ServerProcess(
            dataDirectory: directory,
            extraArguments: [
                "--admin-port", String(adminPort), "--payment-window", "2", "--checkout-cooldown", "0", "--drain-grace", "2",
                // Rate limits on, out of the way of 150 customers on one address,
                // but one Reserve per user: a second press is refused.
                "--rate-limit", "on", "--address-rate", "100000", "--address-burst", "100000",
                "--register-rate", "100000", "--register-burst", "100000", "--login-rate", "100000", "--login-burst", "100000",
                "--reserve-rate", "0.001", "--reserve-burst", "1",
            ])
        try await server.start()
        var stopped = false
        defer { if !stopped { Task { await server.kill9() } } }

        #expect(try await HTTPGet.get(port: adminPort, "/healthz").status == 200)
        let ready = try await HTTPGet.get(port: adminPort, "/readyz")
        #expect(ready.status == 200 && ready.body == "ready\n", "\(ready.body)")
        #expect(try await HTTPGet.get(port: adminPort, "/nothing").status == 404)

        // A purchase: cart, checkout, card approved.
        let admin = try await ShopClients.admin(port: server.port)
        let phone = try await admin.catalog.createProduct(.init(sku: "IPHONE-METRICS", name: "iPhone", priceCents: 599_900, stock: 10))
        let buyer = try await ShopClients.newCustomer(port: server.port, name: "buyer")
        _ = try await buyer.orders.setCartItem(.init(productId: phone.id, quantity: 1))
        let order = try await buyer.orders.checkout(.init())
        let card = Bigshop_Payments_V1_PayRequest.OneOf_Method.card(
            .init(number: "4111111111111111", holder: "Cliente Teste", expMonth: 12, expYear: 2031, cvv: "123"))
        let payment = try await buyer.payments.pay(.init(orderId: order.id, method: card))
        #expect(payment.status == .approved)

        // An order left unpaid: its 2 s window closes.
        let walker = try await ShopClients.newCustomer(port: server.port, name: "walker")
        _ = try await walker.orders.setCartItem(.init(productId: phone.id, quantity: 1))
        _ = try await walker.orders.checkout(.init())

        // The flash sale: 100 units, 150 customers, one press each.
        let campaign = try await admin.flashSale.scheduleCampaign(.init(productId: phone.id))
        var customers: [ShopClients] = []
        for index in 0..<150 { customers.append(try await ShopClients.newCustomer(port: server.port, name: "m\(index)")) }
        let reservations = try await withThrowingTaskGroup(of: Bigshop_Flashsale_V1_Reservation?.self) { group in
            for customer in customers {
                group.addTask {
                    do {
                        return try await customer.flashSale.reserve(.init(campaignId: campaign.id), options: CallOptions(timeout: .seconds(30)))
                    } catch let error as RPCError where error.metadata["reason"] == "SOLD_OUT" {
                        return nil
                    }
                }
            }
            var granted: [Bigshop_Flashsale_V1_Reservation] = []
            for try await reservation in group { if let reservation { granted.append(reservation) } }
            return granted
        }
        #expect(reservations.count == 100)
        // A second press: refused by the Reserve budget (one per user).
        let greedy = try #require(customers.first)
        let refused = await #expect(throws: RPCError.self) { _ = try await greedy.flashSale.reserve(.init(campaignId: campaign.id)) }
        #expect(refused?.code == .resourceExhausted)
        // One holder cancels: the hold goes back (a compensation); another pays.
        let cancelledOrder = reservations[0].orderId
        _ = try await owner(of: cancelledOrder, among: customers).orders.cancelOrder(.init(id: cancelledOrder))
        let paidOrder = reservations[1].orderId
        let paidHold = try await owner(of: paidOrder, among: customers).payments.pay(.init(orderId: paidOrder, method: card))
        #expect(paidHold.status == .approved)
        // A protocol violation on the public port.
        let attacker = try RawSocket(port: server.port, from: "127.0.0.1")
        attacker.write([0x7F, 0xFF, 0xFF, 0xFF] as [UInt8])
        // Counted before the GOAWAY is written: once it is here, so is the count.
        #expect(attacker.goAwayMessage(within: .seconds(10)) != nil)
        attacker.close()

        // The expiry scanner runs by itself: wait (at most 30 s) for it.
        var scrape = PrometheusText("")
        for _ in 0..<300 {
            scrape = PrometheusText(try await HTTPGet.get(port: adminPort, "/metrics").body)
            if scrape.value("bigshop_saga_expired_total", ["kind": "cart"]) == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }

        let campaignLabel = ["campaign": campaign.id]
        let reserve = ["service": Self.flashSale, "method": "Reserve"]
        // The flash sale: exactly 100 holds, the rest sold out, one given back.
        #expect(scrape.value("bigshop_flashsale_reserves_total", campaignLabel.merging(["outcome": "OK"]) { $1 }) == 100)
        // The 50 too late: told SOLD_OUT by the owner, or by the gateway
        // itself once it knew (admission), never both.
        let soldOutByOwner = scrape.value("bigshop_flashsale_reserves_total", campaignLabel.merging(["outcome": "SOLD_OUT"]) { $1 }) ?? 0
        let soldOutByGateway = scrape.value("bigshop_gateway_reserve_admission_total", ["outcome": "SOLD_OUT"]) ?? 0
        #expect(soldOutByOwner >= 1)
        #expect(soldOutByOwner + soldOutByGateway == 50)
        let admitted = ["admitted", "queued"].compactMap { scrape.value("bigshop_gateway_reserve_admission_total", ["outcome": $0]) }
        let limitReachedByOwner = scrape.value("bigshop_flashsale_reserves_total", campaignLabel.merging(["outcome": "LIMIT_REACHED"]) { $1 }) ?? 0
        // Every Reserve the gateway let through reached the owner, once.
        #expect(admitted.reduce(0, +) == 100 + soldOutByOwner + limitReachedByOwner)
        #expect(scrape.value("bigshop_flashsale_remaining_units", campaignLabel) == 1)
        #expect(scrape.value("bigshop_flashsale_current_drop", campaignLabel) == 0)
        #expect(scrape.value("bigshop_flashsale_holds_released_total", campaignLabel) == 1)
        #expect(scrape.value("bigshop_flashsale_holds_sold_total", campaignLabel) == 1)
        #expect(scrape.value("bigshop_checkouts_total", ["kind": "hold", "outcome": "OK"]) == 100)
        #expect(scrape.value("bigshop_saga_compensations_total", ["step": "ReleaseHold"]) == 1)
        // The RPC view of the same: 150 + 1 Reserve calls.
        #expect(scrape.value("rpc_server_started_total", reserve.merging(["type": "unary"]) { $1 }) == 151)
        #expect(scrape.value("rpc_server_handled_total", reserve.merging(["code": "OK"]) { $1 }) == 100)
        #expect(scrape.value("rpc_server_handled_total", reserve.merging(["code": "FAILED_PRECONDITION"]) { $1 }) == 50)
        #expect(scrape.value("rpc_server_handled_total", reserve.merging(["code": "RESOURCE_EXHAUSTED"]) { $1 }) == 1)
        #expect(scrape.value("rpc_server_handling_seconds_count", reserve) == 151)
        #expect(scrape.value("rpc_server_msg_sent_total", reserve) == 100)
        #expect(
            scrape.value(
                "rpc_client_handled_total", ["service": "bigshop.orchestrator.v1.CheckoutSaga", "method": "StartHoldOrder", "code": "OK"]) == 100)
        #expect(scrape.value("bigshop_rate_limit_refusals_total", ["bucket": "reserve_per_user"]) == 1)
        #expect(scrape.value("bigshop_rate_limit_refusals_total", ["bucket": "register_per_address"]) == 0)
        // The purchase and the unpaid order.
        #expect(scrape.value("bigshop_checkouts_total", ["kind": "cart", "outcome": "OK"]) == 2)
        #expect(scrape.value("bigshop_payments_total", ["outcome": "approved"]) == 2)
        #expect(scrape.value("bigshop_saga_transitions_total", ["kind": "cart", "to": "confirmed"]) == 1)
        #expect(scrape.value("bigshop_saga_expired_total", ["kind": "cart"]) == 1)
        #expect(scrape.value("bigshop_saga_steps_total", ["step": "ReserveStock", "outcome": "ok"]) == 2)
        // The transport and the databases.
        #expect((scrape.value("rpc_server_connections", ["port": "public"]) ?? 0) >= 1)
        #expect(scrape.value("rpc_server_protocol_violations_total", ["port": "public", "code": "RESOURCE_EXHAUSTED"]) == 1)
        #expect(scrape.value("rpc_server_connections_refused_total", ["port": "public"]) == 0)
        #expect((scrape.value("bigshop_db_commits_total", ["database": "flashsale"]) ?? 0) >= 1)
        #expect((scrape.value("bigshop_db_batch_size_count", ["database": "flashsale"]) ?? 0) >= 1)
        #expect((scrape.value("bigshop_db_commit_seconds_count", ["database": "orchestrator"]) ?? 0) >= 1)
        #expect(scrape.value("bigshop_password_hash_queue_depth", ["class": "login"]) == 0)

        // Every metric docs/OPERATIONS.md names is there, with its labels.
        let documented = try OperationsDoc.metrics()
        #expect(documented.count >= 30)
        for metric in documented {
            #expect(scrape.has(metric.name), "\(metric.name) is documented but not exported")
            if scrape.has(metric.name) {
                #expect(scrape.labelNames(metric.name).subtracting(["le"]) == metric.labels, "\(metric.name): labels")
            }
        }

        // Every metric the Grafana dashboard queries is exported.
        let queried = try OperationsDoc.dashboardMetrics()
        #expect(queried.count >= 20)
        for name in queried {
            #expect(scrape.samples.contains { $0.name == name }, "the dashboard queries \(name), which is not exported")
        }

        // A graceful shutdown: /readyz is 503 during the drain grace, while
        // the public port still answers (no GOAWAY yet).
        stopped = true
        server.sendTerminate()
        var unready: HTTPGet.Response?
        for _ in 0..<100 {
            let response = try await HTTPGet.get(port: adminPort, "/readyz")
            if response.status == 503 {
                unready = response
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(unready?.body.contains("public port: NOT_SERVING") == true, "\(unready?.body ?? "never unready")")
        let transport = BigRPCClientTransport(host: "127.0.0.1", port: server.port)
        let health = try await Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: transport)).check(.init())
        await transport.close()
        #expect(health.status == .notServing)
        #expect(await server.waitForExit() == 0)
    }

    /// The customer whose order `orderID` is.
    private func owner(of orderID: String, among customers: [ShopClients]) async throws -> ShopClients {
        for customer in customers where (try? await customer.orders.getOrder(.init(id: orderID))) != nil {
            return customer
        }
        throw CrashTestError("no customer owns \(orderID)")
    }
}

/// The metrics table of docs/OPERATIONS.md ("Metrics and tracing").
enum OperationsDoc {
    struct Metric {
        var name: String
        var labels: Set<String>
    }

    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/OPERATIONS.md").path

    static let dashboard = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("ops/grafana-dashboard.json").path

    /// The series names in the `expr` of every panel of docs/ops/grafana-dashboard.json.
    static func dashboardMetrics() throws -> Set<String> {
        struct Dashboard: Decodable {
            struct Panel: Decodable {
                struct Target: Decodable { var expr: String }
                var targets: [Target]
            }
            var panels: [Panel]
        }
        let dashboard = try JSONDecoder().decode(Dashboard.self, from: Data(contentsOf: URL(fileURLWithPath: dashboard)))
        let pattern = try NSRegularExpression(pattern: "\\b(?:rpc|bigshop)_[a-z_]+")
        var names: Set<String> = []
        for expression in dashboard.panels.flatMap(\.targets).map(\.expr) {
            let range = NSRange(expression.startIndex..., in: expression)
            for match in pattern.matches(in: expression, range: range) {
                names.insert(String(expression[Range(match.range, in: expression)!]))
            }
        }
        return names
    }

    /// Each row `| `name` | type | labels | what |` of the table.
    static func metrics() throws -> [Metric] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var metrics: [Metric] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `rpc_") || line.hasPrefix("| `bigshop_") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5 else { continue }
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let labels = Set(cells[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            metrics.append(Metric(name: name, labels: labels))
        }
        return metrics
    }
}
