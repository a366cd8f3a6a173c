import Synchronization
import Testing

@testable import BigRPC

/// What the retry interceptor counts as UNAVAILABLE, and when it stops.
@Suite struct RetryInterceptorTests {
    let interceptor = RetryInterceptor(policy: RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(1)))
    let read = MethodDescriptor(service: "bigshop.catalog.v1.CatalogService", method: "GetProduct", kind: .unary)
    let write = MethodDescriptor(service: "bigshop.orders.v1.OrdersService", method: "Checkout", kind: .unary)

    /// Returns the outcomes in turn, counting the attempts.
    final class Script: Sendable {
        let outcomes: [Result<ClientResponse<Int>, RPCError>]
        let attempts = Mutex(0)

        init(_ outcomes: [Result<ClientResponse<Int>, RPCError>]) {
            self.outcomes = outcomes
        }

        func next() throws -> ClientResponse<Int> {
            let attempt = attempts.withLock { attempts in
                defer { attempts += 1 }
                return attempts
            }
            return try outcomes[min(attempt, outcomes.count - 1)].get()
        }
    }

    static func response(_ code: StatusCode) -> Result<ClientResponse<Int>, RPCError> {
        .success(ClientResponse(result: code == .ok ? .success(7) : .failure(RPCError(code)), trailers: [:]))
    }

    @Test func aServerReportedUnavailableIsRetried() async throws {
        let script = Script([Self.response(.unavailable), .failure(RPCError(.unavailable)), Self.response(.ok)])
        let response = try await interceptor.intercept(method: read, metadata: [:], options: .defaults) { _, _ in try script.next() }
        #expect(try response.message == 7)
        #expect(script.attempts.withLock { $0 } == 3)
    }

    @Test func otherFailuresAreNotRetried() async throws {
        let script = Script([Self.response(.notFound), Self.response(.ok)])
        let response = try await interceptor.intercept(method: read, metadata: [:], options: .defaults) { _, _ in try script.next() }
        #expect(response.failure?.code == .notFound)
        #expect(script.attempts.withLock { $0 } == 1)
    }

    @Test func aMutatingCallTheServerNeverProcessedIsRetried() async throws {
        var refused = RPCError(.unavailable, "the server is going away; the call was not processed")
        refused.callWasNotProcessed = true
        let script = Script([.failure(refused), .failure(refused), Self.response(.ok)])
        let response = try await interceptor.intercept(method: write, metadata: [:], options: .defaults) { _, _ in try script.next() }
        #expect(try response.message == 7)
        #expect(script.attempts.withLock { $0 } == 3)
    }

    @Test func aMutatingCallIsRetriedOnlyWithAnIdempotencyKey() async throws {
        let without = Script([.failure(RPCError(.unavailable)), Self.response(.ok)])
        await #expect(throws: RPCError(.unavailable)) {
            try await interceptor.intercept(method: write, metadata: [:], options: .defaults) { _, _ in try without.next() }
        }
        #expect(without.attempts.withLock { $0 } == 1)

        let with = Script([.failure(RPCError(.unavailable)), Self.response(.ok)])
        let response = try await interceptor.intercept(method: write, metadata: ["idempotency-key": "k"], options: .defaults) { _, _ in
            try with.next()
        }
        #expect(try response.message == 7)
        #expect(with.attempts.withLock { $0 } == 2)
    }

    @Test func theLastFailureIsReturnedAfterTheLastAttempt() async throws {
        let script = Script([Self.response(.unavailable)])
        let response = try await interceptor.intercept(method: read, metadata: [:], options: .defaults) { _, _ in try script.next() }
        #expect(response.failure?.code == .unavailable)
        #expect(script.attempts.withLock { $0 } == 4)
    }

    @Test func eachAttemptGetsWhatIsLeftOfTheDeadline() async throws {
        let timeouts = Mutex<[Duration]>([])
        let script = Script([Self.response(.unavailable), Self.response(.ok)])
        // A deadline far beyond any scheduling delay on a loaded machine: the
        // test checks the arithmetic, not how fast the retry came.
        _ = try await interceptor.intercept(method: read, metadata: [:], options: CallOptions(timeout: .seconds(600))) { _, options in
            timeouts.withLock { $0.append(options.timeout ?? .zero) }
            return try script.next()
        }
        let seen = timeouts.withLock { $0 }
        try #require(seen.count == 2)
        #expect(seen[0] <= .seconds(600))
        // The second attempt lost at least the shortest backoff (half the
        // 1 ms step) and still has most of the deadline.
        #expect(seen[1] <= seen[0] - .microseconds(500))
        #expect(seen[1] > .seconds(300))
    }
}
