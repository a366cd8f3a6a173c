import BigRPC
import BigRPCNIO
import BigRPCProtos
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServerTestSupport
import BigShopTestSupport
import Synchronization
import Testing

/// What SIGTERM (the ServiceGroup's graceful shutdown) does to work in flight.
@Suite struct GracefulShutdownTests {
    /// Holds every call of one method back until ``open()``.
    final class Gate: ClientInterceptor {
        let method: String
        private let state = Mutex<(held: Int, isOpen: Bool, waiters: [CheckedContinuation<Void, Never>])>((0, false, []))

        init(_ method: String) {
            self.method = method
        }

        var held: Int { state.withLock { $0.held } }
        var isOpen: Bool { state.withLock { $0.isOpen } }

        func open() {
            let waiters = state.withLock { state in
                state.isOpen = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }

        func intercept<Result: Sendable>(
            method: MethodDescriptor,
            metadata: Metadata,
            options: CallOptions,
            next: (Metadata, CallOptions) async throws -> Result
        ) async throws -> Result {
            if method.method == self.method {
                await withCheckedContinuation { continuation in
                    let passes = state.withLock { state in
                        state.held += 1
                        if !state.isOpen { state.waiters.append(continuation) }
                        return state.isOpen
                    }
                    if passes { continuation.resume() }
                }
            }
            return try await next(metadata, options)
        }
    }

    @Test("A payment in flight at SIGTERM completes before its database closes, though the public port stopped waiting")
    func paymentInFlight() async throws {
        let gate = Gate("BeginPayment")
        // The public port waits 0.2 s for the call, then closes its connection.
        let shop = try await TestShop.start(
            configure: { $0.drainTimeoutSeconds = 0.2 },
            assemble: {
                $0.clientInterceptors = [gate]
            })
        let admin = try await shop.admin()
        let product = try await OrderJourneyTests.product(admin, stock: 3, price: 10_000)
        let (ana, _) = try await shop.newCustomer("ana")
        _ = try await ana.orders.setCartItem(.init(productId: product.id, quantity: 1))
        let order = try await ana.orders.checkout(.init())
        let paying = Task { try await ana.payments.pay(.init(orderId: order.id, method: .card(OrderJourneyTests.approvedCard))) }
        #expect(await eventually { gate.held == 1 })

        let stopped = Gate("")
        let stopping = Task {
            try await shop.stop()
            stopped.open()
        }
        // Well past the drain timeout: the shop still waits for the payment.
        try await Task.sleep(for: .seconds(1))
        #expect(!stopped.isOpen)
        gate.open()
        try await stopping.value
        _ = await paying.result

        // A new life over the same files, before any client call: the
        // payment was approved and its order confirmed by the first one.
        let next = try await TestShop.start(dataDirectory: shop.dataDirectory)
        let ledger = Bigshop_Orders_V1_OrderLedger.Client(wrapping: next.client)
        let confirmed = try await ledger.lookupOrder(.init(orderId: order.id))
        #expect(confirmed.status == .confirmed)
        try await next.stopAndRemove()
    }

    @Test("With a drain grace the public port answers NOT_SERVING, yet serves calls, until the grace ends")
    func drainGrace() async throws {
        let shop = try await TestShop.start(configure: {
            // Long enough that a test machine stalled for seconds still
            // checks Health and calls within it.
            $0.drainGraceSeconds = 15
            $0.seedDemoCatalog = true
        })
        defer { shop.removeData() }
        let transport = BigRPCClientTransport(host: "127.0.0.1", port: shop.port)
        let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: transport))
        let catalog = Bigshop_Catalog_V1_CatalogService.Client(wrapping: RPCClient(transport: transport))
        #expect(try await health.check(.init()).status == .serving)

        let stopping = Task { try await shop.stop() }
        #expect(await eventually(timeout: .seconds(10)) { try await health.check(.init()).status == .notServing })
        // A load balancer has not noticed yet: its calls are still served.
        #expect(try await catalog.listProducts(.init(pageSize: 1)).products.count == 1)
        try await stopping.value
        #expect(await statusCode { try await health.check(.init()) } == .unavailable)
        await transport.close()
    }
}
