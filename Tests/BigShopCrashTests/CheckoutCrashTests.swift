import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServerTestSupport
import Foundation
import Synchronization
import Testing

/// The checkout saga under kill -9: a real `bigshop serve` child process under
/// a concurrent checkout and payment load is killed at random moments
/// several times and restarted on the same data; afterwards every invariant
/// of docs/CHECKOUT.md holds and nothing acknowledged was lost.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct CheckoutCrashTests {
    static let initialStock: Int64 = 40

    /// What the load generator was told OK.
    final class Acknowledged: Sendable {
        let orders = Mutex<Set<String>>([])
        let approvedOrders = Mutex<Set<String>>([])
        /// Set when the load should stop.
        let stopped = Mutex(false)
    }

    @Test func invariantsHoldAcrossRandomKills() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The shop rules off: each customer checks out, cancels and walks
        // away in a loop, which is the load this test needs.
        let server = try ServerProcess(
            dataDirectory: directory,
            extraArguments: [
                "--payment-window", "4", "--checkout-cooldown", "0", "--max-unpaid-orders", "100",
            ])
        try await server.start()
        let admin = try await ShopClients.admin(port: server.port)
        var created: [String] = []
        for index in 0..<3 {
            let product = try await admin.catalog.createProduct(
                .init(
                    sku: "CRASH-\(index)", name: "Produto \(index)", priceCents: 10_000 + Int64(index), stock: Self.initialStock
                ))
            created.append(product.id)
        }
        let productIDs = created
        var registered: [ShopClients] = []
        for index in 0..<12 { registered.append(try await ShopClients.newCustomer(port: server.port, name: "c\(index)")) }
        let customers = registered

        let acknowledged = Acknowledged()
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for (index, customer) in customers.enumerated() {
                    group.addTask {
                        var random = SystemRandomNumberGenerator()
                        var round = 0
                        while !acknowledged.stopped.withLock({ $0 }) && round < 10_000 {
                            round += 1
                            await Self.shop(customer, admin: admin, products: productIDs, seed: index, random: &random, acknowledged: acknowledged)
                        }
                    }
                }
            }
        }

        var random = SystemRandomNumberGenerator()
        for _ in 0..<4 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 400...1_500, using: &random)))
            await server.kill9()
            try await Task.sleep(for: .milliseconds(200))
            try await server.start()
        }
        try await Task.sleep(for: .milliseconds(800))
        acknowledged.stopped.withLock { $0 = true }
        await load.value

        // Let every unpaid order's payment window close and the saga settle.
        try await Task.sleep(for: .seconds(7))
        #expect(await server.terminate() == 0)

        let databases = ShopDatabases(directory: directory)
        let statuses = try await databases.orderStatuses()
        let units = try await databases.orderedUnits()
        let stock = try await databases.stock()
        let approved = try await databases.approvedPayments()
        let reservations = try await databases.reservations()

        #expect(!statuses.isEmpty)
        #expect(statuses.values.allSatisfy { $0 != "PENDING_PAYMENT" }, "unpaid orders left after their window")
        for product in productIDs {
            let confirmed = ["CONFIRMED", "SHIPPED", "DELIVERED"].reduce(Int64(0)) { $0 + (units[$1]?[product] ?? 0) }
            let unpaid = units["PENDING_PAYMENT"]?[product] ?? 0
            #expect(stock[product]! + unpaid + confirmed == Self.initialStock, "stock of \(product) does not add up")
        }
        for (order, count) in approved {
            #expect(count == 1, "order \(order) has \(count) approved payments")
        }
        for (order, status) in statuses where ["CONFIRMED", "SHIPPED", "DELIVERED"].contains(status) {
            #expect(approved[order] == 1, "order \(order) is \(status) without an approved payment")
        }
        for (order, status) in statuses where status == "CANCELLED" {
            #expect(reservations[order] != "HELD", "cancelled order \(order) still holds stock")
        }
        for order in acknowledged.orders.withLock({ $0 }) {
            #expect(statuses[order] != nil, "acknowledged order \(order) was lost")
        }
        for order in acknowledged.approvedOrders.withLock({ $0 }) {
            #expect(statuses[order] == "CONFIRMED", "order \(order) was paid but is \(statuses[order] ?? "missing")")
        }
        let confirmedCount = statuses.values.filter { $0 == "CONFIRMED" }.count
        let cancelledCount = statuses.values.filter { $0 == "CANCELLED" }.count
        #expect(confirmedCount > 0 && cancelledCount > 0, "the load exercised both outcomes")
    }

    /// One customer round: fill the cart, check out, then pay by card (approved
    /// or declined first), pay by Pix and confirm it, cancel, or walk away.
    static func shop(
        _ customer: ShopClients,
        admin: ShopClients,
        products: [String],
        seed: Int,
        random: inout SystemRandomNumberGenerator,
        acknowledged: Acknowledged
    ) async {
        let options = CallOptions(timeout: .seconds(5))
        do {
            for product in products.shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random)) {
                _ = try await customer.orders.setCartItem(
                    .init(productId: product, quantity: Int64.random(in: 1...2, using: &random)), options: options
                )
            }
            let order = try await customer.orders.checkout(
                .init(), metadata: [Metadata.idempotencyKey: UUID().uuidString], options: options
            )
            acknowledged.orders.withLock { _ = $0.insert(order.id) }
            let card = { (number: String) in
                Bigshop_Payments_V1_PayRequest(
                    orderId: order.id,
                    method: .card(
                        .init(
                            number: number, holder: "Cliente Teste", expMonth: 12, expYear: 2031, cvv: "123"
                        )))
            }
            switch Int.random(in: 0..<5, using: &random) {
            case 0, 1:
                if Bool.random(using: &random) {
                    _ = try await customer.payments.pay(card("4000000000000002"), options: options)
                }
                let payment = try await customer.payments.pay(card("4111111111111111"), options: options)
                if payment.status == .approved { acknowledged.approvedOrders.withLock { _ = $0.insert(order.id) } }
            case 2:
                let pix = try await customer.payments.pay(.init(orderId: order.id, method: .pix(.init())), options: options)
                let confirmed = try await admin.payments.confirmPix(.init(txid: pix.pixTxid), options: options)
                if confirmed.status == .approved { acknowledged.approvedOrders.withLock { _ = $0.insert(order.id) } }
            case 3:
                _ = try await customer.orders.cancelOrder(.init(id: order.id), options: options)
            default:
                break  // never paid: expires
            }
        } catch {
            // Refusals (out of stock) and the server being killed are part of the test.
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
