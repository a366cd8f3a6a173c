import BigShopServerTestSupport
import BigShopTestSupport
import InMemoryTracing
import Testing
import Tracing

/// A shop's start is traced like a call: each service's migrations are a
/// span, and the statements they run outside a transaction a child of it.
@Suite(.timeLimit(.minutes(2))) struct MigrationTraceTests {
    @Test func eachServiceMigratesInASpanOfItsOwn() async throws {
        let tracer = CheckoutTraceTests.tracer
        let root = try await withSpan("start a shop", ofKind: .internal) { span in
            try await withShop { _ in }
            return try #require(span.context.inMemorySpanContext)
        }
        // "sqlite orders migrate orders", or "postgres d1x2_orders migrate orders".
        let engine = TestPostgres.isSelectedForServices ? "postgres" : "sqlite"
        let services = ["auth", "catalog", "orders", "payments", "orchestrator", "flashsale"]
        func migrations(of service: String, in trace: RecordedTrace) -> [FinishedInMemorySpan] {
            trace.spans.filter { $0.operationName.hasPrefix(engine + " ") && $0.operationName.hasSuffix(" migrate \(service)") }
        }
        let trace = try await RecordedTrace.wait(for: root.traceID, in: tracer) { trace in
            services.allSatisfy { !migrations(of: $0, in: trace).isEmpty }
        }
        let start = try #require(trace.spans.first { $0.spanID == root.spanID })
        for service in services {
            let found = migrations(of: service, in: trace)
            try #require(found.count == 1, "\(service): \(found.count) migration spans")
            let migrate = found[0]
            #expect(migrate.parentSpanID == start.spanID)
            #expect(migrate.attributes.get("db.system")?.toSpanAttribute() == (engine == "sqlite" ? "sqlite" : "postgresql"))
            // A new database: the service's migrations were applied.
            let applied = migrate.attributes.get("bigshop.migrations.applied")?.toSpanAttribute()
            #expect(applied != nil && applied != 0, "\(service): \(String(describing: applied))")
            let database = migrate.operationName.dropLast(" migrate \(service)".count)
            _ = try trace.child("\(database) write (no transaction)", .client, of: migrate)
        }
    }
}
