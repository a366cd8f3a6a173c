import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopServerTestSupport
import Foundation
import Testing

@testable import BigShopClient

/// Retries of UNAVAILABLE, across a real server restart.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RetryTests {
    /// Retries for up to ~15 s: the default policy gives up after ~1.5 s,
    /// less than a shop's start can take on a loaded test machine.
    static var patient: BigShopClient.Configuration {
        var configuration = BigShopClient.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(100), maxBackoff: .seconds(2))
        return configuration
    }

    @Test func anIdempotentCallSurvivesAServerRestart() async throws {
        let first = try await TestShop.startDemo()
        defer { first.removeData() }
        let client = BigShopClient(host: "127.0.0.1", port: first.port, configuration: Self.patient)
        let before = try await client.catalog.listProducts(.init(pageSize: 5))

        try await first.stop()
        var withoutRetries = BigShopClient.Configuration()
        withoutRetries.retry = .none
        let impatient = BigShopClient(host: "127.0.0.1", port: first.port, configuration: withoutRetries)
        #expect(await statusCode { try await impatient.catalog.listProducts(.init(pageSize: 5)) } == .unavailable)
        await impatient.close()
        // The call starts while nothing listens; the server comes back on
        // the same port and data while the client backs off.
        async let during = client.catalog.listProducts(.init(pageSize: 5))
        try await Task.sleep(for: .milliseconds(150))
        let second = try await TestShop.startDemo(port: first.port, dataDirectory: first.dataDirectory)
        let after = try await during
        #expect(after.products.map(\.id) == before.products.map(\.id))
        await client.close()
        try await second.stop()
    }

    @Test func aCallWithAnIdempotencyKeySurvivesAServerRestart() async throws {
        let first = try await TestShop.startDemo()
        defer { first.removeData() }
        let client = BigShopClient(host: "127.0.0.1", port: first.port, configuration: Self.patient)
        try await client.login(email: TestShop.adminEmail, password: TestShop.adminPassword)

        try await first.stop()
        let request = Bigshop_Catalog_V1_CreateProductRequest(sku: "RETRY-1", name: "Retried", priceCents: 100, stock: 1)
        async let created = client.catalog.createProduct(request, metadata: ["idempotency-key": UUID().uuidString])
        try await Task.sleep(for: .milliseconds(150))
        let second = try await TestShop.startDemo(port: first.port, dataDirectory: first.dataDirectory)
        // The session survived the restart (it is stored), and so did the call.
        #expect(try await created.sku == "RETRY-1")
        await client.close()
        try await second.stop()
    }

    @Test func aCallTheServerNeverSawIsRetriedEvenWithoutAKey() async throws {
        let shop = try await TestShop.startDemo()
        defer { shop.removeData() }
        try await shop.stop()
        let clock = ContinuousClock()

        // Nothing listens: no attempt reaches a server, so even a mutating
        // call without an idempotency key is safe to send again. (One lost
        // mid-call is not: RetryInterceptorTests.) Two waits of at least
        // 100 ms each between three attempts.
        var configuration = BigShopClient.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(200), maxBackoff: .milliseconds(200))
        let writer = BigShopClient(host: "127.0.0.1", port: shop.port, configuration: configuration)
        let mutatingStart = clock.now
        let request = Bigshop_Orders_V1_SetCartItemRequest(productId: "prd_x", quantity: 1)
        #expect(await statusCode { try await writer.orders.setCartItem(request) } == .unavailable)
        #expect(clock.now - mutatingStart >= .milliseconds(200))
        await writer.close()

        let reader = BigShopClient(host: "127.0.0.1", port: shop.port)
        let readStart = clock.now
        #expect(await statusCode { try await reader.catalog.listProducts(.init()) } == .unavailable)
        // Four waits of at least 50, 100, 200 and 400 ms between five attempts.
        #expect(clock.now - readStart >= .milliseconds(750))
        await reader.close()
    }

    @Test func retriesStopAtTheDeadline() async throws {
        var configuration = BigShopClient.Configuration()
        configuration.defaultTimeout = .milliseconds(300)
        configuration.retry = RetryPolicy(maxAttempts: 50, initialBackoff: .milliseconds(100))
        let client = BigShopClient(host: "127.0.0.1", port: 1, configuration: configuration)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await statusCode { try await client.catalog.listProducts(.init()) } == .unavailable)
        // Without the deadline, 50 attempts would back off for over a minute.
        #expect(clock.now - start < .seconds(20))
        await client.close()
    }

    @Test(arguments: [
        ("GetProduct", false, true), ("ListProducts", false, true), ("WhoAmI", false, true),
        ("GetCurrentDrop", false, true), ("Checkout", false, false), ("Checkout", true, true),
        ("Pay", true, true), ("Login", false, false), ("WatchOrder", false, false),
    ])
    func whichCallsAreRetryable(method: String, withKey: Bool, retryable: Bool) {
        let descriptor = MethodDescriptor(service: "bigshop.x.v1.X", method: method, kind: .unary)
        let metadata: Metadata = withKey ? ["idempotency-key": "k"] : [:]
        #expect(RetryPolicy.isRetryable(descriptor, metadata: metadata) == retryable)
        let health = MethodDescriptor(service: "bigrpc.health.v1.Health", method: "Check", kind: .unary)
        #expect(RetryPolicy.isRetryable(health, metadata: [:]))
    }

    @Test func backoffGrowsWithJitterUpToTheMaximum() {
        let policy = RetryPolicy(initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(500), multiplier: 2)
        for _ in 0..<100 {
            let waits = (1...5).map { policy.backoff(beforeRetry: $0) }
            let steps: [Duration] = [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500)]
            for (wait, step) in zip(waits, steps) {
                #expect(wait >= step / 2 && wait <= step)
            }
        }
    }
}
