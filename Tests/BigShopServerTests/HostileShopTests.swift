import BigRPC
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServer
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 11, findings 6 and 7, against a real `bigshop serve` over TCP: a
/// customer trying to hold the catalog, hostile field values, a 1 MB id,
/// and the permissions of the data at rest. Time moves only by a
/// ``ManualClock``, so nothing here depends on how loaded the machine is.
@Suite struct HostileShopTests {
    /// Black Friday 2026, 00:00 in São Paulo (UTC-3).
    static let blackFriday: Int64 = 1_795_834_800_000
    static let approvedCard = Bigshop_Payments_V1_CardMethod(
        number: "4111 1111 1111 1111", holder: "Ana Souza", expMonth: 12, expYear: 2031, cvv: "123")

    // MARK: Finding 6: one customer holding the catalog

    @Test func aNewAccountCannotHoldTheWholeDemoCatalogNorRenewItsHold() async throws {
        let clock = ManualClock(nowMs: Self.blackFriday)
        try await withShop(clock: clock, configure: { $0.seedDemoCatalog = true }) { shop in
            let anonymous = shop.clients()
            let catalog = try await anonymous.catalog.listProducts(.init(pageSize: 500)).products
            let units = catalog.reduce(0) { $0 + $1.stock }
            #expect(catalog.count == 12 && units == 410)
            let (hoarder, _) = try await shop.newCustomer("hoarder")

            // Every product at its whole stock: each line is refused.
            for product in catalog {
                let refused = await rpcError(
                    try await hoarder.orders.setCartItem(.init(productId: product.id, quantity: product.stock)))
                #expect(refused?.code == .failedPrecondition)
                #expect(refused?.metadata["reason"] == "PRODUCT_LIMIT_REACHED")
            }
            #expect(try await hoarder.orders.getCart(.init()).items.isEmpty)

            // The most the caps allow: 5 of each product, 60 of 410 units.
            for product in catalog {
                _ = try await hoarder.orders.setCartItem(.init(productId: product.id, quantity: 5))
            }
            let order = try await hoarder.orders.checkout(.init())
            #expect(order.items.reduce(0) { $0 + $1.quantity } == 60)
            #expect(try await Self.unitsInStock(anonymous) == 350)

            // More of a product already held in an unpaid order: refused at
            // checkout, although the cart line alone is within the cap.
            _ = try await hoarder.orders.setCartItem(.init(productId: catalog[0].id, quantity: 1))
            let more = await rpcError(try await hoarder.orders.checkout(.init()))
            #expect(more?.code == .failedPrecondition)
            #expect(more?.metadata["reason"] == "PRODUCT_LIMIT_REACHED")
            #expect(try await Self.unitsInStock(anonymous) == 350)

            // Cancel + checkout does not renew the hold: the cool-down refuses
            // it, saying when to come back, and the units stay on sale.
            _ = try await hoarder.orders.cancelOrder(.init(id: order.id))
            #expect(try await Self.unitsInStock(anonymous) == 410)
            let renewed = await rpcError(try await hoarder.orders.checkout(.init()))
            #expect(renewed?.code == .failedPrecondition)
            #expect(renewed?.metadata["reason"] == "CHECKOUT_COOLING_DOWN")
            let retryAfter = try #require(renewed?.metadata["retry-after-ms"].flatMap(Int64.init))
            #expect(retryAfter > 0 && retryAfter <= 5 * 60 * 1000)
            #expect(try await Self.unitsInStock(anonymous) == 410)
            #expect(try await hoarder.orders.getCart(.init()).items.count == 1)

            // Once the cool-down is over, a checkout works again.
            clock.advance(byMs: retryAfter - 1)
            #expect(await rpcError(try await hoarder.orders.checkout(.init()))?.metadata["reason"] == "CHECKOUT_COOLING_DOWN")
            clock.advance(byMs: 1)
            let next = try await hoarder.orders.checkout(.init())

            // Letting an order expire starts the cool-down too.
            clock.advance(byMs: next.paymentDueAtMs - clock.nowMs())
            #expect(await eventually(timeout: .seconds(60)) { try await hoarder.orders.getOrder(.init(id: next.id)).status == .cancelled })
            _ = try await hoarder.orders.setCartItem(.init(productId: catalog[1].id, quantity: 1))
            #expect(await rpcError(try await hoarder.orders.checkout(.init()))?.metadata["reason"] == "CHECKOUT_COOLING_DOWN")
        }
    }

    @Test func unpaidOrdersAreCappedButFlashSaleHoldsAreNot() async throws {
        let clock = ManualClock(nowMs: Self.blackFriday + 1_000)
        try await withShop(clock: clock) { shop in
            let admin = try await shop.admin()
            let product = try await admin.catalog.createProduct(
                .init(
                    sku: "CAP-\(UUID().uuidString.prefix(8))", name: "Fone", priceCents: 24_900, stock: 100))
            let campaign = try await admin.flashSale.scheduleCampaign(
                .init(
                    productId: product.id, startsAtMs: Self.blackFriday, drops: 2, unitsPerDrop: 10))
            let (buyer, _) = try await shop.newCustomer("buyer")

            var unpaid: [Bigshop_Orders_V1_Order] = []
            for _ in 0..<3 {
                _ = try await buyer.orders.setCartItem(.init(productId: product.id, quantity: 1))
                unpaid.append(try await buyer.orders.checkout(.init()))
            }
            _ = try await buyer.orders.setCartItem(.init(productId: product.id, quantity: 1))
            let fourth = await rpcError(try await buyer.orders.checkout(.init()))
            #expect(fourth?.code == .failedPrecondition)
            #expect(fourth?.metadata["reason"] == "TOO_MANY_UNPAID_ORDERS")
            #expect(try await admin.catalog.getProduct(.init(id: product.id)).stock == 97)

            // Three unpaid cart orders do not stop a flash-sale hold...
            let reservation = try await buyer.flashSale.reserve(.init(campaignId: campaign.id))
            #expect(try await buyer.orders.getOrder(.init(id: reservation.orderId)).status == .pendingPayment)

            // ...and the hold's order does not count: paying one cart order
            // makes room for exactly one more.
            let paid = try await buyer.payments.pay(.init(orderId: unpaid[0].id, method: .card(Self.approvedCard)))
            #expect(paid.status == .approved)
            _ = try await buyer.orders.checkout(.init())
            _ = try await buyer.orders.setCartItem(.init(productId: product.id, quantity: 1))
            #expect(await rpcError(try await buyer.orders.checkout(.init()))?.metadata["reason"] == "TOO_MANY_UNPAID_ORDERS")
        }
    }

    @Test func racingCheckoutsOfOneCustomerCannotBothPassTheCaps() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let product = try await admin.catalog.createProduct(
                .init(
                    sku: "RACE-\(UUID().uuidString.prefix(8))", name: "Air Fryer", priceCents: 34_990, stock: 100))
            let (buyer, _) = try await shop.newCustomer("racer")
            _ = try await buyer.orders.setCartItem(.init(productId: product.id, quantity: 5))
            // Eight checkouts at once, each with its own key, all reading the
            // same cart of 5 units before any of them empties it.
            let outcomes = try await withThrowingTaskGroup(of: RPCError?.self) { group in
                for attempt in 0..<8 {
                    group.addTask {
                        await rpcError(try await buyer.orders.checkout(.init(), metadata: ["idempotency-key": "race-\(attempt)"]))
                    }
                }
                return try await group.reduce(into: [RPCError?]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == nil }.count == 1)
            let refusals = outcomes.compactMap { $0 }
            #expect(refusals.allSatisfy { ["PRODUCT_LIMIT_REACHED", "EMPTY_CART"].contains($0.metadata["reason"] ?? "") })
            #expect(try await admin.catalog.getProduct(.init(id: product.id)).stock == 95)
        }
    }

    @Test func shopRulesThatCannotWorkAreRefusedAtStart() async throws {
        let broken: [(inout BigShopConfiguration) -> Void] = [
            { $0.maxUnitsPerProduct = 0 },
            { $0.maxCartLines = -1 },
            { $0.maxUnpaidOrders = 0 },
            { $0.checkoutCooldownSeconds = -1 },
            { $0.checkoutCooldownSeconds = .max },
            { $0.paymentWindowSeconds = 0 },
            { $0.paymentWindowSeconds = .max },
        ]
        for configure in broken {
            await #expect(throws: BigShopConfigurationError.self) {
                let shop = try await TestShop.start(configure: configure)
                try await shop.stopAndRemove()
            }
        }
    }

    // MARK: Finding 7: input echoed, hostile values

    @Test func aMegabyteIDComesBackAsAShortPrefix() async throws {
        // The transport's payload limit is not what this test is about: let
        // the 1 MB id reach the services.
        try await withShop(configure: { $0.maxPayloadBytes = 4 * 1024 * 1024 }) { shop in
            let admin = try await shop.admin()
            let (customer, _) = try await shop.newCustomer("echo")
            let huge = "prd_" + String(repeating: "A", count: 1_048_576)
            let calls: [(String, RPCError?)] = [
                ("SetCartItem", await rpcError(try await customer.orders.setCartItem(.init(productId: huge, quantity: 1)))),
                ("GetProduct", await rpcError(try await customer.catalog.getProduct(.init(id: huge)))),
                ("DeleteProduct", await rpcError(try await admin.catalog.deleteProduct(.init(id: huge)))),
                ("UpdateProduct", await rpcError(try await admin.catalog.updateProduct(.init(product: .init(id: huge, name: "x"))))),
                ("GetOrder", await rpcError(try await customer.orders.getOrder(.init(id: huge)))),
                ("CancelOrder", await rpcError(try await customer.orders.cancelOrder(.init(id: huge)))),
                ("GetPayment", await rpcError(try await customer.payments.getPayment(.init(id: huge)))),
                ("Pay", await rpcError(try await customer.payments.pay(.init(orderId: huge, method: .pix(.init()))))),
                ("ConfirmPix", await rpcError(try await admin.payments.confirmPix(.init(txid: huge)))),
                (
                    "WatchOrder",
                    await rpcError(
                        try await customer.history.watchOrder(.init(orderId: huge)) { events in
                            for try await _ in events {}
                        })
                ),
                ("Reserve", await rpcError(try await customer.flashSale.reserve(.init(campaignId: huge)))),
            ]
            for (method, error) in calls {
                let error = try #require(error, "\(method) accepted a 1 MB id")
                #expect([.invalidArgument, .notFound].contains(error.code), "\(method): \(error.code)")
                #expect(error.message.utf8.count <= 300, "\(method) echoed \(error.message.utf8.count) bytes")
                #expect(error.metadata.allSatisfy { $0.value.utf8.count <= 300 }, "\(method) echoed input in a trailer")
            }
            // Control and bidi characters are not echoed either.
            let sneaky = "prd_\u{202E}gnp.exe\nINFO forged log line"
            let message = try #require(await rpcError(try await customer.catalog.getProduct(.init(id: sneaky)))).message
            #expect(!message.contains("\u{202E}") && !message.contains("\n"))
            // The server is still up and answering.
            #expect(try await customer.orders.getCart(.init()).items.isEmpty)
        }
    }

    @Test func hostileNumbersAreRefusedNeverTrapped() async throws {
        let clock = ManualClock(nowMs: Self.blackFriday + 1_000)
        try await withShop(clock: clock) { shop in
            let admin = try await shop.admin()
            let (customer, _) = try await shop.newCustomer("numbers")
            let product = try await admin.catalog.createProduct(
                .init(
                    sku: "NUM-\(UUID().uuidString.prefix(8))", name: "Geladeira", priceCents: 100_000_000_000, stock: 10))

            // Quantities and prices at the ends of Int64: refused with a
            // clear code, never INTERNAL, never a crash.
            for quantity in [Int64.max, Int64.min, -1, 1_001] {
                #expect(await code(try await customer.orders.setCartItem(.init(productId: product.id, quantity: quantity))) == .invalidArgument)
            }
            for (price, stock) in [(Int64.max, 1), (Int64.min, 1), (1, Int64.max), (1, Int64.min)] {
                #expect(
                    await code(
                        try await admin.catalog.createProduct(
                            .init(
                                sku: "H-\(UUID().uuidString.prefix(8))", name: "x", priceCents: price, stock: stock))) == .invalidArgument)
            }
            #expect(
                await code(
                    try await admin.catalog.updateProduct(
                        .init(
                            product: .init(id: product.id, priceCents: .max), updateMask: .init(paths: ["price_cents"])))) == .invalidArgument)
            for size in [Int32.min, -1] {
                #expect(await code(try await customer.catalog.listProducts(.init(pageSize: size))) == .invalidArgument)
                #expect(await code(try await customer.history.listOrders(.init(pageSize: size))) == .invalidArgument)
            }
            #expect(await code(try await customer.catalog.listProducts(.init(pageSize: .max))) == nil)
            #expect(await code(try await customer.history.listOrders(.init(pageSize: .max))) == nil)

            // The most expensive cart the rules allow is far from overflowing.
            _ = try await customer.orders.setCartItem(.init(productId: product.id, quantity: 5))
            let order = try await customer.orders.checkout(.init())
            #expect(order.totalCents == 500_000_000_000)

            // Card fields at the ends of Int32.
            for card in [
                Bigshop_Payments_V1_CardMethod(number: "4111111111111111", holder: "A", expMonth: .max, expYear: 2031, cvv: "123"),
                Bigshop_Payments_V1_CardMethod(number: "4111111111111111", holder: "A", expMonth: .min, expYear: 2031, cvv: "123"),
                Bigshop_Payments_V1_CardMethod(number: "4111111111111111", holder: "A", expMonth: 12, expYear: .max, cvv: "123"),
                Bigshop_Payments_V1_CardMethod(number: "4111111111111111", holder: "A", expMonth: 12, expYear: .min, cvv: "123"),
                Bigshop_Payments_V1_CardMethod(
                    number: "4111111111111111", holder: "A", expMonth: 12, expYear: 2031, cvv: "123", installments: .max),
                Bigshop_Payments_V1_CardMethod(
                    number: "4111111111111111", holder: "A", expMonth: 12, expYear: 2031, cvv: "123", installments: .min),
            ] {
                #expect(await code(try await customer.payments.pay(.init(orderId: order.id, method: .card(card)))) == .invalidArgument)
            }

            // Campaign fields at the ends of their types.
            let hostileCampaigns: [Bigshop_Flashsale_V1_ScheduleCampaignRequest] = [
                .init(productId: product.id, startsAtMs: .max),
                .init(productId: product.id, startsAtMs: .min),
                .init(productId: product.id, drops: .max, unitsPerDrop: .max),
                .init(productId: product.id, drops: .min),
                .init(productId: product.id, unitsPerDrop: .min),
                .init(productId: product.id, priceCents: .min),
                .init(productId: product.id, priceCents: .max),
                .init(productId: product.id, dropIntervalMs: .max),
                .init(productId: product.id, dropIntervalMs: .min),
                .init(productId: product.id, holdMs: .max),
                .init(productId: product.id, perCustomerLimit: .min),
            ]
            for request in hostileCampaigns {
                #expect(await code(try await admin.flashSale.scheduleCampaign(request)) == .invalidArgument, "\(request)")
            }
            // A campaign at the largest accepted values still answers.
            let wide = try await admin.flashSale.scheduleCampaign(
                .init(
                    productId: product.id, startsAtMs: Self.blackFriday, drops: 1_000, unitsPerDrop: 1_000,
                    priceCents: 100_000_000_000, dropIntervalMs: 366 * 86_400_000, holdMs: 30 * 86_400_000, perCustomerLimit: .max))
            let drop = try await customer.flashSale.getCurrentDrop(.init(campaignId: wide.id))
            #expect(drop.remaining == 1_000)
            let held = try await customer.flashSale.reserve(.init(campaignId: wide.id))
            #expect(try await customer.orders.getOrder(.init(id: held.orderId)).totalCents == 100_000_000_000)
            // The server is still up and answering.
            #expect(try await customer.orders.getCart(.init()).items.isEmpty)
        }
    }

    // MARK: Finding 7: data at rest

    @Test(.disabled(if: TestPostgres.isSelectedForServices, "SQLite files only; PostgreSQL keeps no files here"))
    func theDataDirectoryAndDatabaseFilesAreOwnerOnly() async throws {
        let first = try await TestShop.start()
        defer { first.removeData() }
        do {
            // Writes to every kind of database, so their -wal files exist.
            let admin = try await first.admin()
            let product = try await admin.catalog.createProduct(.init(sku: "PERM-1", name: "Mouse", priceCents: 9_900, stock: 3))
            let (customer, _) = try await first.newCustomer("perm")
            _ = try await customer.orders.setCartItem(.init(productId: product.id, quantity: 1))
            _ = try await customer.orders.checkout(.init())
            try Self.expectOwnerOnly(first.dataDirectory, expectingFiles: 6)
        } catch {
            try? await first.stop()
            throw error
        }
        try await first.stop()

        // An older version's world-readable files are tightened at start,
        // a -wal left behind by a crash included (an empty one is valid).
        #expect(chmod(first.dataDirectory, 0o755) == 0)
        let staleWAL = open(first.dataDirectory + "/orders.sqlite-wal", O_CREAT | O_WRONLY, 0o644)
        #expect(staleWAL >= 0)
        close(staleWAL)
        for file in try Self.databaseFiles(in: first.dataDirectory) {
            #expect(chmod(first.dataDirectory + "/" + file, 0o644) == 0)
        }
        let second = try await TestShop.start(dataDirectory: first.dataDirectory)
        do {
            try Self.expectOwnerOnly(second.dataDirectory, expectingFiles: 6)
            #expect(try await second.clients().catalog.listProducts(.init()).products.count == 1)
        } catch {
            try? await second.stop()
            throw error
        }
        try await second.stop()
    }

    // MARK: Helpers

    /// The permission bits of `path`.
    static func permissions(_ path: String) throws -> mode_t {
        var status = stat()
        guard stat(path, &status) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return status.st_mode & 0o777
    }

    static func databaseFiles(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".sqlite") }.sorted()
    }

    /// The directory is 0700, and every database file in it (at least
    /// `expectingFiles` main files, each with its -wal and -shm) 0600.
    static func expectOwnerOnly(_ directory: String, expectingFiles mainFiles: Int) throws {
        #expect(try permissions(directory) == 0o700)
        let files = try databaseFiles(in: directory)
        #expect(files.filter { $0.hasSuffix(".sqlite") }.count >= mainFiles)
        #expect(files.filter { $0.hasSuffix(".sqlite-wal") }.count >= mainFiles)
        #expect(files.filter { $0.hasSuffix(".sqlite-shm") }.count >= mainFiles)
        for file in files {
            let mode = try permissions(directory + "/" + file)
            #expect(mode == 0o600, "\(file) is \(String(mode, radix: 8))")
        }
    }

    /// Every unit on sale now, by the public catalog.
    static func unitsInStock(_ clients: ShopClients) async throws -> Int64 {
        try await clients.catalog.listProducts(.init(pageSize: 500)).products.reduce(0) { $0 + $1.stock }
    }

}
