import BigRPC
import BigRPCTracing
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServerTestSupport
import BigShopTestSupport
import InMemoryTracing
import Instrumentation
import Testing
import Tracing

/// One purchase is one trace: the client's span is the parent of the
/// gateway's server span of each call, which is the ancestor of every call
/// the services make to each other and of their database writes, through
/// checkout, payment and the order's confirmation.
@Suite(.timeLimit(.minutes(2))) struct CheckoutTraceTests {
    /// The process's tracer: bootstrapped once, for every test of this
    /// process (the others' spans are in other traces). Its spans propagate
    /// as W3C `traceparent`, as in production.
    static let tracer: InMemoryTracer = {
        let tracer = W3CInMemoryTracer()
        InstrumentationSystem.bootstrap(tracer)
        return tracer.recorder
    }()

    @Test func checkoutPaymentAndConfirmationAreOneTrace() async throws {
        let tracer = Self.tracer
        try await withShop { shop in
            let admin = try await shop.admin()
            let product = try await admin.catalog.createProduct(.init(sku: "TRACE-1", name: "Mug", priceCents: 1_000, stock: 5))
            let customer = try await shop.newCustomer().clients

            let root = try await withSpan("purchase", ofKind: .client) { span in
                var metadata = Metadata()
                InstrumentationSystem.instrument.inject(span.context, into: &metadata, using: MetadataInjector())
                _ = try await customer.orders.setCartItem(.init(productId: product.id, quantity: 1), metadata: metadata)
                let order = try await customer.orders.checkout(.init(), metadata: metadata)
                let card = Bigshop_Payments_V1_PayRequest.OneOf_Method.card(
                    .init(number: "4111111111111111", holder: "Cliente Teste", expMonth: 12, expYear: 2031, cvv: "123"))
                let payment = try await customer.payments.pay(.init(orderId: order.id, method: card), metadata: metadata)
                #expect(payment.status == .approved)
                return try #require(span.context.inMemorySpanContext)
            }

            // The confirmation may finish after Pay answered: wait (at most 10 s).
            let trace = try await RecordedTrace.wait(for: root.traceID, in: tracer) { trace in
                trace.contains("bigshop.orders.v1.OrderLedger/ConfirmOrder", .server)
            }
            func span(_ name: String, _ kind: SpanKind) throws -> FinishedInMemorySpan {
                try #require(trace.spans(name, kind).first, "no \(kind) span \(name) in the trace")
            }

            // Each public call: a server span, child of the client's span.
            let checkout = try span("bigshop.orders.v1.OrdersService/Checkout", .server)
            let pay = try span("bigshop.payments.v1.PaymentsService/Pay", .server)
            #expect(checkout.parentSpanID == root.spanID)
            #expect(pay.parentSpanID == root.spanID)
            #expect(checkout.attributes.get("rpc.method")?.toSpanAttribute() == "Checkout")

            // Checkout → the saga: a client span, and the saga's server span its child.
            let startClient = try span("bigshop.orchestrator.v1.CheckoutSaga/StartCheckout", .client)
            let startServer = try span("bigshop.orchestrator.v1.CheckoutSaga/StartCheckout", .server)
            #expect(startClient.parentSpanID == checkout.spanID)
            #expect(startServer.parentSpanID == startClient.spanID)
            let reserveStock = try span("bigshop.catalog.v1.InventoryService/ReserveStock", .server)
            #expect(trace.descends(reserveStock, from: startServer))

            // Pay → the saga's payment steps → the order's confirmation.
            let complete = try span("bigshop.orchestrator.v1.CheckoutSaga/CompletePayment", .server)
            #expect(trace.descends(complete, from: pay))
            let confirm = try span("bigshop.orders.v1.OrderLedger/ConfirmOrder", .server)
            #expect(trace.descends(confirm, from: pay))
            #expect(!trace.descends(confirm, from: checkout))

            // Database transactions, reads and writes, are spans of the calls
            // that made them.
            // Named "<engine> <database> …": "sqlite orders write", or "postgres orders write"
            // (tests prefix the PostgreSQL schemas: "postgres d1x2_orders write").
            let engine = TestPostgres.isSelectedForServices ? "postgres" : "sqlite"
            let transactions = trace.spans.filter { $0.operationName.hasPrefix(engine + " ") }
            #expect(transactions.contains { $0.operationName.hasSuffix("orders write (group commit)") && trace.descends($0, from: confirm) })
            #expect(transactions.contains { $0.operationName.contains("payments write") && trace.descends($0, from: pay) })
            #expect(transactions.contains { $0.operationName.hasSuffix(" read") && trace.descends($0, from: checkout) }, "\(transactions.map(\.operationName))")
            let rootSpan = try #require(trace.spans.first { $0.spanID == root.spanID })
            #expect(transactions.allSatisfy { trace.descends($0, from: rootSpan) })
        }
    }
}
