import BigRPC
import BigRPCTracing
import BigShopPaymentsAPI
import BigShopServerTestSupport
import InMemoryTracing
import Instrumentation
import Testing
import Tracing

/// One purchase is one trace across a split shop: a gateway app and the
/// services' app, talking over real TCP on loopback, where the only way
/// trace context crosses is the W3C `traceparent` in the call's metadata.
/// Each hop's server span is the child of the span that sent the call:
/// client → gateway → services, through checkout, payment and confirmation.
@Suite(.timeLimit(.minutes(2))) struct SplitCheckoutTraceTests {
    static let checkout = "bigshop.orders.v1.OrdersService/Checkout"
    static let pay = "bigshop.payments.v1.PaymentsService/Pay"
    static let confirm = "bigshop.orders.v1.OrderLedger/ConfirmOrder"

    @Test func aPurchaseThroughAGatewayIsOneTraceAcrossTCP() async throws {
        let tracer = CheckoutTraceTests.tracer
        try await SplitDeploymentTests.withSplitShop { gateway, _ in
            let admin = try await gateway.admin()
            let product = try await admin.catalog.createProduct(.init(sku: "TRACE-SPLIT-1", name: "Mug", priceCents: 1_000, stock: 5))
            let customer = try await gateway.newCustomer().clients

            let root = try await withSpan("purchase", ofKind: .client) { span in
                var metadata = Metadata()
                InstrumentationSystem.instrument.inject(span.context, into: &metadata, using: MetadataInjector())
                #expect(metadata["traceparent"] != nil)
                _ = try await customer.orders.setCartItem(.init(productId: product.id, quantity: 1), metadata: metadata)
                let order = try await customer.orders.checkout(.init(), metadata: metadata)
                let card = Bigshop_Payments_V1_PayRequest.OneOf_Method.card(
                    .init(number: "4111111111111111", holder: "Cliente Teste", expMonth: 12, expYear: 2031, cvv: "123"))
                let payment = try await customer.payments.pay(.init(orderId: order.id, method: card), metadata: metadata)
                #expect(payment.status == .approved)
                return try #require(span.context.inMemorySpanContext)
            }
            let trace = try await RecordedTrace.wait(for: root.traceID, in: tracer) { $0.contains(Self.confirm, .server) }
            let rootSpan = try #require(trace.spans.first { $0.spanID == root.spanID })

            // Each public call: the gateway's server span, child of the
            // client's; the services' server span, child of the gateway's.
            #expect(trace.spans(Self.checkout, .server).count == 2)
            let gatewayCheckout = try trace.child(Self.checkout, .server, of: rootSpan)
            let checkout = try trace.child(Self.checkout, .server, of: gatewayCheckout)
            #expect(trace.spans(Self.pay, .server).count == 2)
            let gatewayPay = try trace.child(Self.pay, .server, of: rootSpan)
            let pay = try trace.child(Self.pay, .server, of: gatewayPay)

            // Checkout → the saga, within the services' app.
            let startClient = try trace.child("bigshop.orchestrator.v1.CheckoutSaga/StartCheckout", .client, of: checkout)
            let startServer = try trace.child("bigshop.orchestrator.v1.CheckoutSaga/StartCheckout", .server, of: startClient)
            let reserveStock = try #require(trace.spans("bigshop.catalog.v1.InventoryService/ReserveStock", .server).first)
            #expect(trace.descends(reserveStock, from: startServer))

            // Payment → the saga's payment steps → the order's confirmation.
            let complete = try #require(trace.spans("bigshop.orchestrator.v1.CheckoutSaga/CompletePayment", .server).first)
            #expect(trace.descends(complete, from: pay))
            let confirm = try #require(trace.spans(Self.confirm, .server).first)
            #expect(trace.descends(confirm, from: pay))
            #expect(!trace.descends(confirm, from: gatewayCheckout))
            #expect(trace.spans.allSatisfy { $0.spanID == rootSpan.spanID || trace.descends($0, from: rootSpan) })
        }
    }

    @Test func aTraceTheGatewayStartsGoesOnToTheServices() async throws {
        let tracer = CheckoutTraceTests.tracer
        // Every call without trace context starts a trace at the gateway.
        try await SplitDeploymentTests.withSplitShop(configureGateway: { $0.traceSampleRatio = 1 }) { gateway, _ in
            let requestID = "split-trace-\(UInt64.random(in: 0...UInt64.max))"
            _ = try await gateway.clients().catalog.listProducts(.init(pageSize: 1), metadata: [Metadata.requestIDKey: requestID])

            let name = "bigshop.catalog.v1.CatalogService/ListProducts"
            var spans: [FinishedInMemorySpan] = []
            for _ in 0..<1_000 {
                spans = tracer.finishedSpans.filter {
                    $0.operationName == name && $0.kind == .server && $0.attributes.get("bigrpc.request_id")?.toSpanAttribute() == .string(requestID)
                }
                if spans.count >= 2 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            // The gateway's span is the trace's root; the services' span, in the same trace, is its child.
            try #require(spans.count == 2, "\(spans.count) server spans of the call")
            let gatewaySpan = try #require(spans.first { $0.parentSpanID == nil })
            let serviceSpan = try #require(spans.first { $0.spanID != gatewaySpan.spanID })
            #expect(serviceSpan.traceID == gatewaySpan.traceID)
            #expect(serviceSpan.parentSpanID == gatewaySpan.spanID)
        }
    }
}
