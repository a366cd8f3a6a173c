import BigRPC
import BigRPCNIO
import BigRPCProtos
import BigRPCStandardServices
import BigShopGateway
import BigShopTestSupport
import Testing

/// A flood of refused calls costs a line per interval in the access log,
/// not a line per call (the red team's finding F1c: 85 MB of log in 75 s);
/// served calls keep their own lines. The public port's interceptors, in
/// the shop's order, over real TCP.
@Suite(.timeLimit(.minutes(1)))
struct AccessLogAggregationTests {
    @Test func refusalsAreLoggedInAggregate() async throws {
        let recorder = LogRecorder()
        var limits = RateLimits()
        limits.allCallsPerAddress = .init(perSecond: 0.001, burst: 3)
        let gateway = GatewayInterceptor(policy: .shop, limiters: GatewayLimiters(limits)) { _ in nil }
        let access = AccessLogInterceptor(logger: recorder.logger("access"), aggregationInterval: .milliseconds(500))
        let rpc = RPCServer(services: StandardServices(serving: []).all, interceptors: [access, gateway])
        let server = BigRPCServer()
        let serving = Task { try await server.listen(rpc) }
        let port = try await server.listeningAddress().port!
        let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: BigRPCClientTransport(host: "127.0.0.1", port: port)))

        var refused = 0
        for _ in 0..<50 {
            do {
                _ = try await health.check(.init())
            } catch let error as RPCError where error.code == .resourceExhausted {
                refused += 1
            }
        }
        #expect(refused == 47)
        // The three served calls are logged as always, the first refusal on
        // its own line, the other 46 not one by one...
        #expect(recorder.lines(containing: "call ok").count == 3)
        #expect(recorder.lines(containing: "call failed", "RESOURCE_EXHAUSTED").count == 1)
        // ...but together, once the interval ends.
        var aggregate: [String] = []
        for _ in 0..<100 where aggregate.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            aggregate = recorder.lines(containing: "calls aggregated", "RESOURCE_EXHAUSTED")
        }
        #expect(aggregate.count == 1)
        #expect(aggregate.first?.contains("count=46") == true)
        server.beginGracefulShutdown()
        try await serving.value
    }
}
