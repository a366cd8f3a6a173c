import BigRPC
import BigShopFlashSaleAPI
import BigShopPaymentsAPI
import Foundation
import Synchronization

/// What the cluster's shoppers were told, and every call that failed.
final class ClusterLedger: Sendable {
    /// Orders a Checkout or a flash-sale Reserve answered OK.
    let acknowledgedOrders = Mutex<Set<String>>([])
    /// Orders a Pay or ConfirmPix answered APPROVED.
    let approvedOrders = Mutex<Set<String>>([])
    /// Every hold a Reserve answered OK.
    let reservations = Mutex<[Bigshop_Flashsale_V1_Reservation]>([])
    /// Idempotent calls (reads, calls with an `idempotency-key`) that
    /// failed for good, retries included: must stay empty.
    let idempotentFailures = Mutex<[String]>([])
    /// Other calls that failed without an answer (UNAVAILABLE mid-call, …):
    /// their outcome is unknown, which is allowed.
    let unknownOutcomes = Mutex<[String: Int]>([:])
    /// Calls answered, by method, status code and refusal reason.
    let answers = Mutex<[String: Int]>([:])
    let signedIn = Atomic<Int>(0)

    /// Codes that are an answer of the shop (a refusal), not a failure.
    static let answerCodes: Set<StatusCode> = [.ok, .failedPrecondition, .notFound, .alreadyExists, .invalidArgument, .outOfRange]

    func record(_ method: String, idempotent: Bool, _ error: (any Error)?) {
        let code = error.map { ($0 as? RPCError)?.code ?? .unknown } ?? .ok
        let reason = (error as? RPCError)?.metadata["reason"].map { " " + $0 } ?? ""
        answers.withLock { $0["\(method) \(code)\(reason)", default: 0] += 1 }
        guard !Self.answerCodes.contains(code) else { return }
        if idempotent {
            idempotentFailures.withLock { $0.append("\(method): \(error.map { "\($0)" } ?? "")") }
        } else {
            unknownOutcomes.withLock { $0[method, default: 0] += 1 }
        }
    }

    /// One line per method and code, for the test's log.
    var summary: String {
        answers.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
    }
}

/// 2,000 shoppers (or as many as asked) on the cluster at once, each a task
/// of its own; their calls go through one ``CallGate`` over a few shared
/// connections to both gateways. Each signs up and in, presses the flash
/// sale's Reserve when a drop opens (and pays most of the units it wins),
/// and in between browses, fills its cart, checks out, and pays (card
/// approved or declined first, Pix confirmed by the admin), cancels or
/// walks away, then looks at its orders (History), until `stopAt`.
struct ClusterShoppers: Sendable {
    let connections: ClusterGatewayConnections
    let gate: CallGate
    let ledger: ClusterLedger
    let admin: ClusterShopperClients
    /// Every call's deadline (its retries included).
    let timeout: Duration = .seconds(20)

    static let approvedCard = Bigshop_Payments_V1_CardMethod(number: "4111111111111111", holder: "Cliente Teste", expMonth: 12, expYear: 2031, cvv: "123")
    static let declinedCard = Bigshop_Payments_V1_CardMethod(number: "4000000000000002", holder: "Cliente Teste", expMonth: 12, expYear: 2031, cvv: "123")

    /// Runs `body` as one call through the gate and records how it ended.
    func call<T: Sendable>(_ method: String, idempotent: Bool, _ body: (CallOptions) async throws -> T) async throws -> T {
        await gate.acquire()
        do {
            let result = try await body(CallOptions(timeout: timeout))
            await gate.release()
            ledger.record(method, idempotent: idempotent, nil)
            return result
        } catch {
            await gate.release()
            ledger.record(method, idempotent: idempotent, error)
            throw error
        }
    }

    /// Signs shopper `index` up (again after an unknown outcome: an email
    /// already taken means an earlier try got through) and in.
    func signIn(_ index: Int, run: String) async -> ClusterShopperClients? {
        let anonymous = connections.clients(token: nil)
        let email = "shopper-\(index)-\(run)@cluster.test"
        for _ in 0..<10 {
            do {
                _ = try await call("Register", idempotent: false) {
                    try await anonymous.auth.register(.init(email: email, password: "customer-password", name: "Shopper \(index)"), options: $0)
                }
                break
            } catch let error as RPCError where error.code == .alreadyExists {
                break
            } catch {
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        for _ in 0..<10 {
            if let session = try? await call(
                "Login", idempotent: false, { try await anonymous.auth.login(.init(email: email, password: "customer-password"), options: $0) })
            {
                ledger.signedIn.add(1, ordering: .relaxed)
                return connections.clients(token: session.token)
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    /// One shopper's visit: Reserve at each drop's opening, shopping rounds
    /// in between, until `stopAt`.
    func shop(
        _ shopper: ClusterShopperClients, index: Int, products: [String], campaign: Bigshop_Flashsale_V1_Campaign, stopAt: ContinuousClock.Instant
    ) async {
        var random = SystemRandomNumberGenerator()
        let clock = ContinuousClock()
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        let drops = (0..<Int(campaign.drops)).map { drop in
            clock.now + .milliseconds(campaign.startsAtMs + Int64(drop) * campaign.dropIntervalMs - nowMs)
        }
        var nextDrop = 0
        var round = 0
        while clock.now < stopAt {
            if nextDrop < drops.count, clock.now >= drops[nextDrop] {
                nextDrop += 1
                await pressReserve(shopper, campaign: campaign, random: &random)
                continue
            }
            if round == 0, nextDrop == 0 {
                // Everyone is at the door when the first drop opens.
                try? await clock.sleep(until: drops[0])
                continue
            }
            round += 1
            await shoppingRound(shopper, products: products, random: &random)
            // Browsing time, so the drops' openings are a crowd.
            try? await clock.sleep(for: .milliseconds(Int.random(in: 0...2_000, using: &random)))
        }
    }

    /// Presses Reserve until it wins a unit or is refused (sold out, at its
    /// limit); pays for most units it wins.
    func pressReserve(_ shopper: ClusterShopperClients, campaign: Bigshop_Flashsale_V1_Campaign, random: inout SystemRandomNumberGenerator) async {
        for _ in 0..<10 {
            do {
                let reservation = try await call("Reserve", idempotent: false) {
                    try await shopper.flashSale.reserve(.init(campaignId: campaign.id), options: $0)
                }
                ledger.reservations.withLock { $0.append(reservation) }
                ledger.acknowledgedOrders.withLock { _ = $0.insert(reservation.orderId) }
                if Int.random(in: 0..<10, using: &random) < 8 {
                    await pay(shopper, order: reservation.orderId, card: Self.approvedCard)
                }
                return
            } catch let error as RPCError where Self.isAnswer(error) {
                return
            } catch {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Browse, fill the cart, check out, then one of: pay by card (declined
    /// first, sometimes), pay by Pix and have the admin confirm it, cancel,
    /// walk away. Checks the order is there afterwards.
    func shoppingRound(_ shopper: ClusterShopperClients, products: [String], random: inout SystemRandomNumberGenerator) async {
        do {
            _ = try await call("ListProducts", idempotent: true) { try await shopper.catalog.listProducts(.init(pageSize: 20), options: $0) }
            let product = products.randomElement(using: &random)!
            _ = try await call("GetProduct", idempotent: true) { try await shopper.catalog.getProduct(.init(id: product), options: $0) }
            let quantity = Int64.random(in: 1...2, using: &random)
            _ = try await call("SetCartItem", idempotent: false) {
                try await shopper.orders.setCartItem(.init(productId: product, quantity: quantity), options: $0)
            }
            let key = UUID().uuidString
            let order = try await call("Checkout", idempotent: true) {
                try await shopper.orders.checkout(.init(), metadata: [Metadata.idempotencyKey: key], options: $0)
            }
            ledger.acknowledgedOrders.withLock { _ = $0.insert(order.id) }
            switch Int.random(in: 0..<20, using: &random) {
            case 0..<10:
                await pay(shopper, order: order.id, card: Self.approvedCard)
            case 10..<12:
                await pay(shopper, order: order.id, card: Self.declinedCard)
                await pay(shopper, order: order.id, card: Self.approvedCard)
            case 12..<15:
                let pixKey = UUID().uuidString
                let pix = try await call("Pay", idempotent: true) {
                    try await shopper.payments.pay(
                        .init(orderId: order.id, method: .pix(.init())), metadata: [Metadata.idempotencyKey: pixKey], options: $0)
                }
                let confirmed = try await call("ConfirmPix", idempotent: false) {
                    try await admin.payments.confirmPix(.init(txid: pix.pixTxid), options: $0)
                }
                if confirmed.status == .approved { ledger.approvedOrders.withLock { _ = $0.insert(order.id) } }
            case 15..<17:
                _ = try await call("CancelOrder", idempotent: false) { try await shopper.orders.cancelOrder(.init(id: order.id), options: $0) }
            default:
                break  // never paid: expires
            }
            _ = try await call("GetOrder", idempotent: true) { try await shopper.orders.getOrder(.init(id: order.id), options: $0) }
            _ = try await call("ListOrders", idempotent: true) { try await shopper.history.listOrders(.init(pageSize: 5), options: $0) }
        } catch {
            // Refusals (out of stock, limits) and unknown outcomes end the
            // round; the ledger has them.
        }
    }

    /// Pays `order` by card with an idempotency key: a retry, ours or the
    /// client's, is the same payment. ABORTED (that payment still in
    /// progress when a retry arrives) is asked again a few times.
    func pay(_ shopper: ClusterShopperClients, order: String, card: Bigshop_Payments_V1_CardMethod) async {
        let key = "pay-\(order)-\(card.number.suffix(4))"
        let request = Bigshop_Payments_V1_PayRequest(orderId: order, method: .card(card))
        let payment = try? await call("Pay", idempotent: true) { options in
            for _ in 0..<5 {
                do {
                    return try await shopper.payments.pay(request, metadata: [Metadata.idempotencyKey: key], options: options)
                } catch let error as RPCError where error.code == .aborted {
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            return try await shopper.payments.pay(request, metadata: [Metadata.idempotencyKey: key], options: options)
        }
        if payment?.status == .approved { ledger.approvedOrders.withLock { _ = $0.insert(order) } }
    }

    /// Whether a failed call is the shop's answer (a refusal) rather than a failure.
    static func isAnswer(_ error: RPCError) -> Bool {
        ClusterLedger.answerCodes.contains(error.code)
    }
}
